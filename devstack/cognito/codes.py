"""Confirmation codes, and where they are delivered.

SignUp, ResendConfirmationCode, ForgotPassword and AdminResetUserPassword send a 6-digit
code, in the pool's verification message, to a local mailbox instead of an e-mail;
ConfirmSignUp and ConfirmForgotPassword take only the latest code of its kind, unexpired
(CodeMismatchException, ExpiredCodeException). AdminCreateUser sends the pool's
invitation when asked to (DesiredDeliveryMediums EMAIL, no SUPPRESS).
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time

from devstack.cognito.errors import (
    CODE_EXPIRED,
    CODE_MISMATCH,
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedException,
)
from devstack.cognito.mailbox import MAILBOX

SIGN_UP_CODE_SECONDS = 24 * 3600
RESET_CODE_SECONDS = 3600


class _Codes:
    """The latest code per (pool, user, purpose): a new one replaces the one before."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[tuple[str, str, str], tuple[str, float]] = {}

    def issue(self, pool_id: str, user_id: str, purpose: str, seconds: float) -> str:
        code = f"{secrets.randbelow(10 ** 6):06d}"
        with self._lock:
            self._codes[(pool_id, user_id, purpose)] = (code, time.time() + seconds)
        return code

    def redeem(self, pool_id: str, user_id: str, purpose: str, given: str | None) -> None:
        key = (pool_id, user_id, purpose)
        with self._lock:
            code, expires_at = self._codes.get(key, (None, 0.0))
            if code is None or not hmac.compare_digest(code, given or ""):
                raise CodeMismatchException(CODE_MISMATCH)
            if expires_at < time.time():
                raise ExpiredCodeException(CODE_EXPIRED)
            del self._codes[key]


CODES = _Codes()


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def email_delivery(email: str) -> dict:
    return {"Destination": _mask(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _verification_message(pool, code: str) -> tuple[str, str]:
    config = pool.extended_config
    template = config.get("VerificationMessageTemplate") or {}
    subject = template.get("EmailSubject") or config.get("EmailVerificationSubject") or "Your verification code"
    body = template.get("EmailMessage") or config.get("EmailVerificationMessage") or "Your verification code is {####}."
    return subject, body.replace("{####}", code)


def send_code(pool, user, purpose: str, seconds: float, attribute: str) -> dict:
    """Issue a code and deliver it through `attribute`; CodeDeliveryDetails."""
    code = CODES.issue(pool.id, user.username, purpose, seconds)
    if attribute == "email":
        email = user.attribute_lookup["email"]
        MAILBOX.deliver(email, *_verification_message(pool, code), code)
        return email_delivery(email)
    # No local SMS: the code is kept, nothing is delivered.
    return {"Destination": "+*******" + user.attribute_lookup.get("phone_number", "")[-4:],
            "DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def auto_verified(pool, user) -> str | None:
    """The attribute a sign-up code goes to: the first the pool auto-verifies that the
    user has (e-mail before phone, as Cognito picks)."""
    auto_verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    return next((a for a in ("email", "phone_number") if a in auto_verified and a in user.attribute_lookup), None)


def _verified(user, attribute: str) -> bool:
    return attribute in user.attribute_lookup and \
        str(user.attribute_lookup.get(f"{attribute}_verified", "false")).lower() == "true"


def recovery_attribute(pool, user) -> str:
    """Where a password-reset code goes: the first recovery mechanism the user has verified."""
    setting = pool.extended_config.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or [
        {"Name": "verified_phone_number", "Priority": 1}, {"Name": "verified_email", "Priority": 2}],
        key=lambda m: m["Priority"])
    if mechanisms[0]["Name"] == "admin_only":
        raise NotAuthorizedException("Contact administrator to reset password.")
    for mechanism in mechanisms:
        attribute = {"verified_email": "email", "verified_phone_number": "phone_number"}.get(mechanism["Name"])
        if attribute and _verified(user, attribute):
            return attribute
    raise InvalidParameterException(
        "Cannot reset password for the user as there is no registered/verified email or phone_number")
