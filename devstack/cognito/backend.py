"""moto's cognito-idp backend, patched to refuse what Cognito refuses (devstack.cognito
lists the rules), and install(), which patches moto once per process.
"""
from __future__ import annotations

import time

from devstack.cognito.codes import (
    CODES,
    RESET_CODE_SECONDS,
    SIGN_UP_CODE_SECONDS,
    auto_verified,
    email_delivery,
    recovery_attribute,
    send_code,
)
from devstack.cognito.errors import (
    CODE_MISMATCH,
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
    UnsupportedUserStateException,
    UsernameExistsException,
    UserNotFoundException,
    incorrect,
)
from devstack.cognito.mailbox import MAILBOX
from devstack.cognito.passwords import (
    ADMIN_CREATE_WORDING,
    DEFAULT_WORDING,
    SIGN_UP_WORDING,
    enforce_password,
    generated_password,
    password_policy,
    same_password,
)
from devstack.cognito.pool import patch_pool
from devstack.cognito.responses import REQUEST, context, patch_responses
from devstack.cognito.sign_in import (
    check_password,
    check_secret_hash,
    hides_users,
    known_flows,
    require_flow,
    start_srp,
    verify_password_claim,
)
from devstack.cognito.triggers import ADMIN_CREATE_USER, SIGN_UP, pre_sign_up

_installed = False


def install() -> None:
    """Make moto's cognito-idp behave as devstack.cognito describes (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    patch_pool()
    _patch_backend()
    patch_responses()


def _patch_backend() -> None:
    from moto.cognitoidp import exceptions as moto_errors
    from moto.cognitoidp.models import CognitoIdpBackend, UserStatus

    B = CognitoIdpBackend
    original = {name: getattr(B, name) for name in (
        "sign_up", "admin_create_user", "admin_set_user_password", "admin_reset_user_password",
        "initiate_auth", "admin_initiate_auth", "respond_to_auth_challenge")}

    def _validate_password(self, user_pool_id, password):
        enforce_password(self.describe_user_pool(user_pool_id), password,
                         getattr(REQUEST, "wording", None) or DEFAULT_WORDING)

    def sign_up(self, client_id, username, password, attributes):
        pool, _ = _pool_and_client(self, client_id)
        if (pool.extended_config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
            raise NotAuthorizedException("SignUp is not permitted for this user pool")
        by_email = "email" in (pool.extended_config.get("UsernameAttributes") or [])
        exists = UsernameExistsException("An account with the given email already exists." if by_email
                                         else "User already exists")
        # Cognito's own checks come before the pre sign-up trigger: a taken name or a weak
        # password is refused without running it (and counts no sign-up there).
        if pool._get_user(username) is not None:
            raise exists
        enforce_password(pool, password or "", SIGN_UP_WORDING)
        pre_sign_up(pool, SIGN_UP, username, _with_username(pool, username, attributes), client_id,
                    getattr(REQUEST, "validation_data", None), getattr(REQUEST, "client_metadata", None))
        try:
            with context(wording=SIGN_UP_WORDING):
                user, _ = original["sign_up"](self, client_id, username, password or "", attributes)
        except moto_errors.UsernameExistsException:
            raise exists from None
        attribute = auto_verified(pool, user)
        return user, (send_code(pool, user, "sign_up", SIGN_UP_CODE_SECONDS, attribute) if attribute else None)

    def confirm_sign_up(self, client_id, username, confirmation_code=None):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if hides_users(client):
                raise CodeMismatchException(CODE_MISMATCH)
            raise UserNotFoundException("Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            status = getattr(user.status, "value", user.status)
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {status}")
        CODES.redeem(pool.id, user.username, "sign_up", confirmation_code)
        user.status = UserStatus.CONFIRMED
        # The code reached the user through an auto-verified attribute: it is verified now.
        attribute = auto_verified(pool, user)
        if attribute:
            user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])
        return ""

    def resend_confirmation_code(self, client_id, username):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if hides_users(client):
                return {"CodeDeliveryDetails": email_delivery(username if "@" in username else f"{username}@x")}
            raise UserNotFoundException("Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            raise InvalidParameterException("User is already confirmed.")
        attribute = auto_verified(pool, user)
        if attribute:
            return {"CodeDeliveryDetails": send_code(pool, user, "sign_up", SIGN_UP_CODE_SECONDS, attribute)}
        raise InvalidParameterException("Auto verification not turned on.")

    def forgot_password(self, client_id, username):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if hides_users(client):
                return None, {"CodeDeliveryDetails": email_delivery(username if "@" in username else f"{username}@x")}
            raise UserNotFoundException("Username/client id combination not found.")
        attribute = recovery_attribute(pool, user)
        return None, {"CodeDeliveryDetails": send_code(pool, user, "reset", RESET_CODE_SECONDS, attribute)}

    def confirm_forgot_password(self, client_id, username, password, confirmation_code):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if hides_users(client):
                raise CodeMismatchException(CODE_MISMATCH)
            raise UserNotFoundException("Username/client id combination not found.")
        enforce_password(pool, password, DEFAULT_WORDING)
        CODES.redeem(pool.id, user.username, "reset", confirmation_code)
        user.password = password
        user.ringback_temporary_since = None
        if user.status in ("RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"):
            user.status = UserStatus.CONFIRMED

    def admin_reset_user_password(self, user_pool_id, username):
        original["admin_reset_user_password"](self, user_pool_id, username)
        pool = self.describe_user_pool(user_pool_id)
        user = pool._get_user(username)
        send_code(pool, user, "reset", RESET_CODE_SECONDS, recovery_attribute(pool, user))

    def admin_create_user(self, user_pool_id, username, message_action, temporary_password, attributes):
        pool = self.describe_user_pool(user_pool_id)
        if temporary_password is not None:
            enforce_password(pool, temporary_password, ADMIN_CREATE_WORDING)
        else:
            temporary_password = generated_password(password_policy(pool))
        if message_action == "RESEND":
            user = self.admin_get_user(user_pool_id, username)
            if user.status != "FORCE_CHANGE_PASSWORD":
                raise UnsupportedUserStateException(
                    f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD")
            user.password = temporary_password
        else:
            if pool._get_user(username) is None:
                pre_sign_up(pool, ADMIN_CREATE_USER, username, _with_username(pool, username, attributes),
                            client_metadata=getattr(REQUEST, "client_metadata", None))
            user = original["admin_create_user"](self, user_pool_id, username, None, temporary_password, attributes)
        user.ringback_temporary_since = time.time()
        mediums = getattr(REQUEST, "delivery", None) or ["SMS"]
        if message_action != "SUPPRESS" and "EMAIL" in mediums and "email" in user.attribute_lookup:
            invite = (pool.extended_config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
            body = invite.get("EmailMessage") or "Your username is {username} and temporary password is {####}."
            MAILBOX.deliver(user.attribute_lookup["email"], invite.get("EmailSubject") or "Your temporary password",
                            body.replace("{username}", username).replace("{####}", temporary_password),
                            temporary_password)
        return user

    def admin_set_user_password(self, user_pool_id, username, password, permanent):
        original["admin_set_user_password"](self, user_pool_id, username, password, permanent)
        self.admin_get_user(user_pool_id, username).ringback_temporary_since = None if permanent else time.time()

    def change_password(self, access_token, previous_password, proposed_password):
        for pool in self.user_pools.values():
            if access_token in pool.access_tokens:
                _, username = pool.access_tokens[access_token]
                user = self.admin_get_user(pool.id, username)
                if not same_password(user, previous_password):
                    raise incorrect()
                enforce_password(pool, proposed_password, DEFAULT_WORDING)
                user.password = proposed_password
                user.ringback_temporary_since = None
                if user.status in ("FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"):
                    user.status = UserStatus.CONFIRMED
                return
        raise NotAuthorizedException("Invalid Access Token")

    def initiate_auth(self, client_id, auth_flow, auth_parameters):
        pool, client = _pool_and_client(self, client_id)
        params = auth_parameters or {}
        if auth_flow in known_flows():
            require_flow(client, auth_flow)
        if auth_flow == "USER_SRP_AUTH":
            return start_srp(pool, client, params)
        if auth_flow == "USER_PASSWORD_AUTH":
            check_secret_hash(client, params.get("USERNAME") or "", params.get("SECRET_HASH"))
            check_password(pool, client, params.get("USERNAME"), params.get("PASSWORD"))
        return original["initiate_auth"](self, client_id, auth_flow, auth_parameters)

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        pool = self.describe_user_pool(user_pool_id)
        client = pool.clients.get(client_id)
        if client is None:
            raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
        params = auth_parameters or {}
        if auth_flow in known_flows():
            require_flow(client, auth_flow)
        if auth_flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
            check_secret_hash(client, params.get("USERNAME") or "", params.get("SECRET_HASH"))
            check_password(pool, client, params.get("USERNAME"), params.get("PASSWORD"))
        return original["admin_initiate_auth"](self, user_pool_id, client_id, auth_flow, auth_parameters)

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name != "PASSWORD_VERIFIER":
            return original["respond_to_auth_challenge"](self, session, client_id, challenge_name,
                                                         challenge_responses)
        pool, client = _pool_and_client(self, client_id)
        responses = challenge_responses or {}
        user = verify_password_claim(pool, client, responses)
        # Proven: moto's own PASSWORD_VERIFIER step takes over (new-password and MFA
        # challenges, then the tokens), on a session only a proven claim opens.
        block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
        self.sessions[block] = (user.username, pool)
        return original["respond_to_auth_challenge"](self, block, client_id, challenge_name,
                                                     {**responses, "USERNAME": user.username})

    B._validate_password = _validate_password
    B.sign_up = sign_up
    B.confirm_sign_up = confirm_sign_up
    B.resend_confirmation_code = resend_confirmation_code
    B.forgot_password = forgot_password
    B.confirm_forgot_password = confirm_forgot_password
    B.admin_reset_user_password = admin_reset_user_password
    B.admin_create_user = admin_create_user
    B.admin_set_user_password = admin_set_user_password
    B.change_password = change_password
    B.initiate_auth = initiate_auth
    B.admin_initiate_auth = admin_initiate_auth
    B.respond_to_auth_challenge = respond_to_auth_challenge


def _with_username(pool, username: str, attributes: list[dict] | None) -> list[dict]:
    """The attributes Cognito gives the trigger: in a pool whose username is the e-mail,
    the username is the user's email attribute."""
    attributes = list(attributes or [])
    if "email" in (pool.extended_config.get("UsernameAttributes") or []) and "@" in username and \
            not any(a.get("Name") == "email" for a in attributes):
        attributes.append({"Name": "email", "Value": username})
    return attributes


def _pool_and_client(backend, client_id: str):
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool.clients[client_id]
    raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
