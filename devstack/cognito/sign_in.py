"""Sign-in, refused where Cognito refuses it.

Sign-in. USER_PASSWORD_AUTH compares the password; USER_SRP_AUTH runs the server side
of Cognito's SRP (devstack/cognito/srp.py: 3072-bit group, g = 2, k = H(N | g),
u = H(A | B), HKDF "Caldera Derived Key") against a verifier computed from the stored
password, and checks the client's PASSWORD_CLAIM_SIGNATURE and TIMESTAMP. A wrong
password, signature or secret block is NotAuthorizedException "Incorrect username or
password."; an unconfirmed user is UserNotConfirmedException whatever the password (as
Cognito answers); with PreventUserExistenceErrors an unknown user fails exactly as a
wrong password does.

Auth flows. A flow the app client's ExplicitAuthFlows does not allow is refused
(InvalidParameterException "USER_PASSWORD_AUTH flow not enabled for this client", ...).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from devstack.cognito.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
    incorrect,
)
from devstack.cognito.passwords import same_password, temporary_expired
from devstack.cognito.srp import (
    CLAIMS,
    G,
    N,
    PasswordClaim,
    claim_signature,
    cognito_timestamp,
    srp_hex,
    srp_session_key,
    srp_verifier,
)

# Which AuthFlow each ExplicitAuthFlows value allows (the legacy values included).
_FLOWS_ALLOWED_BY = {
    "ALLOW_USER_SRP_AUTH": {"USER_SRP_AUTH"},
    "ALLOW_USER_PASSWORD_AUTH": {"USER_PASSWORD_AUTH"},
    "USER_PASSWORD_AUTH": {"USER_PASSWORD_AUTH"},
    "ALLOW_ADMIN_USER_PASSWORD_AUTH": {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ALLOW_CUSTOM_AUTH": {"CUSTOM_AUTH"},
    "CUSTOM_AUTH_FLOW_ONLY": {"CUSTOM_AUTH"},
    "ALLOW_REFRESH_TOKEN_AUTH": {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"},
    "ALLOW_USER_AUTH": {"USER_AUTH"},
}
_LEGACY_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
# What a client gets when it names none.
_DEFAULT_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
_FLOW_NOT_ENABLED = {
    "USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH flow not enabled for this client",
    "USER_SRP_AUTH": "USER_SRP_AUTH is not enabled for the client.",
}


def allowed_flows(explicit: list[str] | None) -> set[str]:
    explicit = list(explicit or _DEFAULT_FLOWS)
    allowed = set().union(*(_FLOWS_ALLOWED_BY.get(flow, set()) for flow in explicit))
    if set(explicit) <= _LEGACY_FLOWS:
        # Before the ALLOW_ values, SRP and refresh were always on.
        allowed |= {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
        if "CUSTOM_AUTH_FLOW_ONLY" not in explicit:
            allowed.add("USER_SRP_AUTH")
    return allowed


def require_flow(client, auth_flow: str) -> None:
    if auth_flow not in allowed_flows(client.extended_config.get("ExplicitAuthFlows")):
        raise InvalidParameterException(_FLOW_NOT_ENABLED.get(auth_flow, "Auth flow not enabled for this client"))


def hides_users(client) -> bool:
    # The API's default is LEGACY; the CDK client sets ENABLED.
    return client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def pool_name(pool) -> str:
    return pool.id.split("_", 1)[1]


def refuse_after_password(pool, user) -> None:
    """What still stops a user whose password was right."""
    if user.status == "RESET_REQUIRED":
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == "FORCE_CHANGE_PASSWORD" and temporary_expired(pool, user):
        raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")


def check_secret_hash(client, username: str, secret_hash: str | None) -> None:
    if not client.generate_secret:
        return
    if not secret_hash:
        raise NotAuthorizedException(f"Client {client.id} is configured with secret but SECRET_HASH was not received")
    expected = base64.b64encode(hmac.new(client.secret.encode(), (username + client.id).encode(),
                                         hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(expected, secret_hash):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def _user_for_sign_in(pool, client, username: str | None):
    """The user signing in, refused as Cognito refuses before looking at the password."""
    user = pool._get_user(username) if username else None
    if user is None:
        if hides_users(client):
            return None
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "UNCONFIRMED":
        # Whatever the password: Cognito tells an unconfirmed user to confirm.
        raise UserNotConfirmedException("User is not confirmed.")
    return user


def check_password(pool, client, username: str | None, password: str | None) -> None:
    user = _user_for_sign_in(pool, client, username)
    if user is None or not same_password(user, password):
        raise incorrect()
    refuse_after_password(pool, user)


def known_flows() -> list[str]:
    from moto.cognitoidp.models import AuthFlow

    return AuthFlow.list()


def start_srp(pool, client, params: dict) -> dict:
    """InitiateAuth USER_SRP_AUTH: the PASSWORD_VERIFIER challenge, with B computed from
    the stored password's verifier."""
    username = params.get("USERNAME") or ""
    try:
        a_value = int(params.get("SRP_A") or "", 16)
    except ValueError:
        raise InvalidParameterException("SRP_A is not a valid hexadecimal number") from None
    if a_value % N == 0:
        raise incorrect()
    check_secret_hash(client, username, params.get("SECRET_HASH"))
    user = _user_for_sign_in(pool, client, username)
    salt = getattr(user, "ringback_srp_salt", None) if user else None
    if salt is None:
        salt = srp_hex(secrets.randbits(128))
        if user is not None:
            user.ringback_srp_salt = salt
    user_id = user.username if user else username
    if user is not None and user.password:
        b_value, key = srp_session_key(a_value, srp_verifier(pool_name(pool), user_id, user.password, salt))
    else:
        # Nobody to prove: a challenge that looks like any other and that no answer passes.
        b_value, key = srp_session_key(a_value, pow(G, secrets.randbits(256), N))
        key = None
    secret_block = base64.b64encode(secrets.token_bytes(128)).decode()
    minutes = int(client.extended_config.get("AuthSessionValidity") or 3)
    CLAIMS.add(secret_block, PasswordClaim(client.id, user.username if user else None, key,
                                             time.time() + minutes * 60))
    return {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": salt,
            "SRP_B": f"{b_value:x}",
            "SECRET_BLOCK": secret_block,
            "USER_ID_FOR_SRP": user_id,
            "USERNAME": user_id,
        },
    }


def verify_password_claim(pool, client, responses: dict):
    """RespondToAuthChallenge PASSWORD_VERIFIER: the client's proof that it knows the
    password, checked; the user it proves."""
    for name in ("USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
        if not responses.get(name):
            raise InvalidParameterException(f"Missing required parameter {name}")
    block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
    claim = CLAIMS.take(block)
    if claim is None or claim.client_id != client.id:
        raise incorrect()
    if claim.expires_at < time.time():
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    user = pool._get_user(responses["USERNAME"])
    if claim.key is None or user is None or user.username != claim.user_id:
        raise incorrect()
    if not cognito_timestamp(responses["TIMESTAMP"]):
        raise incorrect()
    try:
        secret = base64.b64decode(block, validate=True)
    except ValueError:
        raise incorrect() from None
    expected = claim_signature(claim.key, pool_name(pool), claim.user_id, secret, responses["TIMESTAMP"])
    if not hmac.compare_digest(expected.encode(), responses["PASSWORD_CLAIM_SIGNATURE"].encode()):
        raise incorrect()
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "UNCONFIRMED":
        raise UserNotConfirmedException("User is not confirmed.")
    refuse_after_password(pool, user)
    return user
