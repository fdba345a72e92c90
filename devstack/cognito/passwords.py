"""The pool's password policy, as Cognito applies it.

The pool's PasswordPolicy is enforced on SignUp, AdminCreateUser's temporary password,
AdminSetUserPassword, ChangePassword, ConfirmForgotPassword and the NEW_PASSWORD_REQUIRED
challenge (InvalidPasswordException, worded per operation as Cognito words it). A
temporary password expires after TemporaryPasswordValidityDays.
"""
from __future__ import annotations

import hmac
import re
import secrets
import string
import time

from devstack.cognito.errors import InvalidParameterException, InvalidPasswordException

# Cognito words the same refusal differently per operation.
SIGN_UP_WORDING = "Password did not conform with policy: "
ADMIN_CREATE_WORDING = "Password did not conform with password policy: "
DEFAULT_WORDING = "Password does not conform to policy: "

# The special characters Cognito counts as symbols (a non-leading, non-trailing space too).
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")
# What Cognito requires when a pool sets no policy.
DEFAULT_POLICY = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                  "RequireNumbers": True, "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}


def password_policy(pool) -> dict:
    return {**DEFAULT_POLICY, **(pool.extended_config.get("Policies") or {}).get("PasswordPolicy", {})}


def password_problem(policy: dict, password: str) -> str | None:
    """Why the policy refuses `password` (Cognito's words), or None."""
    if len(password) < policy["MinimumLength"]:
        return "Password not long enough"
    if policy["RequireUppercase"] and not re.search(r"[A-Z]", password):
        return "Password must have uppercase characters"
    if policy["RequireLowercase"] and not re.search(r"[a-z]", password):
        return "Password must have lowercase characters"
    if policy["RequireNumbers"] and not re.search(r"[0-9]", password):
        return "Password must have numeric characters"
    inner_space = " " in password.strip(" ")
    if policy["RequireSymbols"] and not (inner_space or any(c in SYMBOLS for c in password)):
        return "Password must have symbol characters"
    return None


def enforce_password(pool, password: str | None, wording: str) -> None:
    password = password or ""
    if len(password) > 256:
        raise InvalidParameterException("1 validation error detected: Value at 'password' failed to satisfy "
                                        "constraint: Member must have length less than or equal to 256")
    problem = password_problem(password_policy(pool), password)
    if problem:
        raise InvalidPasswordException(wording + problem)


def generated_password(policy: dict) -> str:
    """A password the policy accepts, as Cognito generates for AdminCreateUser."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "^$*.!@#%&-_=+"]
    chars = [secrets.choice(c) for c in classes]
    chars += [secrets.choice("".join(classes)) for _ in range(max(policy["MinimumLength"], 12) - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def temporary_expired(pool, user) -> bool:
    since = getattr(user, "ringback_temporary_since", None)
    days = password_policy(pool)["TemporaryPasswordValidityDays"]
    return since is not None and time.time() - since > days * 86400


def same_password(user, password: str | None) -> bool:
    return bool(user.password) and hmac.compare_digest(user.password.encode(), (password or "").encode())
