"""The local user pool, as strict as Cognito: installed into the moto server process
(devstack/moto_server.py).

moto's cognito-idp issues real JWTs, but takes any password in SRP (it never checks the
client's proof), checks no password against the pool's policy on most paths, ignores
the confirmation code, lets every app client use every auth flow, and sends no e-mail.
In AWS each of those requests would fail, so here they fail too, with Cognito's
exception and message:

1. Passwords. The pool's PasswordPolicy is enforced on SignUp, AdminCreateUser's
   temporary password, AdminSetUserPassword, ChangePassword, ConfirmForgotPassword and
   the NEW_PASSWORD_REQUIRED challenge (InvalidPasswordException, worded per operation
   as Cognito words it). A temporary password expires after TemporaryPasswordValidityDays.
2. Sign-in. USER_PASSWORD_AUTH compares the password; USER_SRP_AUTH runs the server side
   of Cognito's SRP (3072-bit group, g = 2, k = H(N | g), u = H(A | B), HKDF "Caldera
   Derived Key") against a verifier computed from the stored password, and checks the
   client's PASSWORD_CLAIM_SIGNATURE and TIMESTAMP. A wrong password, signature or secret
   block is NotAuthorizedException "Incorrect username or password."; an unconfirmed
   user is UserNotConfirmedException whatever the password (as Cognito answers); with
   PreventUserExistenceErrors an unknown user fails exactly as a wrong password does.
3. Auth flows. A flow the app client's ExplicitAuthFlows does not allow is refused
   (InvalidParameterException "USER_PASSWORD_AUTH flow not enabled for this client", ...).
4. Codes and the mailbox. SignUp, ResendConfirmationCode, ForgotPassword and
   AdminResetUserPassword send a 6-digit code, in the pool's verification message, to
   a local mailbox instead of an e-mail; ConfirmSignUp and ConfirmForgotPassword take
   only the latest code of its kind, unexpired (CodeMismatchException,
   ExpiredCodeException). AdminCreateUser sends the pool's invitation when asked to
   (DesiredDeliveryMediums EMAIL, no SUPPRESS).
5. Tokens. The ID token carries the user's attributes (email, email_verified as a
   boolean) and both tokens live as long as the app client says.

The mailbox is read as a user reads their e-mail:

    GET /_local/mailbox?to=<email>   -> [{"to", "subject", "body", "code", "at"}, ...], newest last

`code` is what the message's {####} stood for (a verification code, or an invitation's
temporary password); `at` is seconds since the epoch.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from moto.core.exceptions import JsonRESTError

MAILBOX_PATH = "/_local/mailbox"

# -- the mailbox ------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    code: str | None
    at: float


class Mailbox:
    """Every message the local user pools sent, in the order they were sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []

    def deliver(self, to: str, subject: str, body: str, code: str | None) -> Message:
        message = Message(to, subject, body, code, time.time())
        with self._lock:
            self._messages.append(message)
        return message

    def messages(self, to: str | None = None) -> list[Message]:
        with self._lock:
            found = list(self._messages)
        if to is None:
            return found
        # E-mail addresses are compared as the pool compares usernames: without case.
        return [m for m in found if m.to.casefold() == to.casefold()]


MAILBOX = Mailbox()


class MailboxEndpoint:
    """GET /_local/mailbox[?to=address]: the messages, as JSON, newest last."""

    def __init__(self, app, mailbox: Mailbox = MAILBOX) -> None:
        self._app, self._mailbox = app, mailbox

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != MAILBOX_PATH:
            return self._app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "GET":
            start_response("405 Method Not Allowed", [("Allow", "GET"), ("Content-Length", "0")])
            return [b""]
        to = parse_qs(environ.get("QUERY_STRING", "")).get("to", [None])[0]
        body = json.dumps([asdict(m) for m in self._mailbox.messages(to)]).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store"), ("Access-Control-Allow-Origin", "*")])
        return [body]


# -- Cognito's errors -------------------------------------------------------------------


class _CognitoError(JsonRESTError):
    error_type = ""

    def __init__(self, message: str) -> None:
        super().__init__(self.error_type, message)


class InvalidPasswordException(_CognitoError):
    error_type = "InvalidPasswordException"


class NotAuthorizedException(_CognitoError):
    error_type = "NotAuthorizedException"


class UserNotConfirmedException(_CognitoError):
    error_type = "UserNotConfirmedException"


class UserNotFoundException(_CognitoError):
    error_type = "UserNotFoundException"


class CodeMismatchException(_CognitoError):
    error_type = "CodeMismatchException"


class ExpiredCodeException(_CognitoError):
    error_type = "ExpiredCodeException"


class InvalidParameterException(_CognitoError):
    error_type = "InvalidParameterException"


class PasswordResetRequiredException(_CognitoError):
    error_type = "PasswordResetRequiredException"


class ResourceNotFoundException(_CognitoError):
    error_type = "ResourceNotFoundException"


class UsernameExistsException(_CognitoError):
    error_type = "UsernameExistsException"


class UnsupportedUserStateException(_CognitoError):
    error_type = "UnsupportedUserStateException"


INCORRECT = "Incorrect username or password."
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."


def _incorrect() -> NotAuthorizedException:
    return NotAuthorizedException(INCORRECT)


# -- the password policy ----------------------------------------------------------------

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


# -- SRP, the server side ---------------------------------------------------------------

# The 3072-bit MODP group of RFC 3526 (RFC 5054's), which Cognito's SRP uses, with g = 2.
N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
HKDF_INFO = b"Caldera Derived Key\x01"


def srp_hex(value: int) -> str:
    """An integer as Cognito's clients hash it: big-endian hex of even length, with a
    leading 00 when the top bit is set (a positive two's-complement number)."""
    text = f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def _hash(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash(srp_hex(N) + srp_hex(G))


def srp_verifier(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    """v = g^x, x = H(salt | H(pool name | user id | ":" | password)): what Cognito keeps
    instead of the password."""
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return pow(G, _hash(srp_hex(int(salt_hex, 16)) + inner), N)


def srp_session_key(a_value: int, verifier: int) -> tuple[int, bytes]:
    """The server's public B, and the key both sides derive when the client knew the
    password: S = (A * v^u)^b, key = HKDF(S, salt = u), 16 bytes."""
    while True:
        b = secrets.randbits(256)
        b_value = (K * verifier + pow(G, b, N)) % N
        u = _hash(srp_hex(a_value) + srp_hex(b_value))
        if b and b_value and u:
            break
    s = pow(a_value * pow(verifier, u, N) % N, b, N)
    prk = hmac.new(bytes.fromhex(srp_hex(u)), bytes.fromhex(srp_hex(s)), hashlib.sha256).digest()
    return b_value, hmac.new(prk, HKDF_INFO, hashlib.sha256).digest()[:16]


def claim_signature(key: bytes, pool_name: str, user_id: str, secret_block: bytes, timestamp: str) -> str:
    message = pool_name.encode() + user_id.encode() + secret_block + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIMESTAMP = re.compile(r"(\w{3}) (\w{3}) ([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d UTC (\d{4})")


def cognito_timestamp(text: str) -> bool:
    """Cognito's TIMESTAMP: "Tue Nov 3 09:05:07 UTC 2026", the day unpadded, the weekday
    right for the date."""
    match = _TIMESTAMP.fullmatch(text or "")
    if not match or match[1] not in _WEEKDAYS or match[2] not in _MONTHS:
        return False
    try:
        day = date(int(match[5]), _MONTHS.index(match[2]) + 1, int(match[3]))
    except ValueError:
        return False
    return _WEEKDAYS[day.weekday()] == match[1]


@dataclass(frozen=True)
class _PasswordClaim:
    """An SRP challenge handed out, waiting for the client's proof."""

    client_id: str
    user_id: str | None  # the user's internal username; None for a user that does not exist
    key: bytes | None
    expires_at: float


class _Claims:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, _PasswordClaim] = {}

    def add(self, secret_block: str, claim: _PasswordClaim) -> None:
        now = time.time()
        with self._lock:
            self._open = {k: c for k, c in self._open.items() if c.expires_at > now - 60}
            self._open[secret_block] = claim

    def take(self, secret_block: str) -> _PasswordClaim | None:
        """One answer per challenge, right or wrong."""
        with self._lock:
            return self._open.pop(secret_block, None)


_CLAIMS = _Claims()


# -- confirmation codes -----------------------------------------------------------------

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


_CODES = _Codes()

# -- the pool's rules -------------------------------------------------------------------

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


def _require_flow(client, auth_flow: str) -> None:
    if auth_flow not in allowed_flows(client.extended_config.get("ExplicitAuthFlows")):
        raise InvalidParameterException(_FLOW_NOT_ENABLED.get(auth_flow, "Auth flow not enabled for this client"))


def _hides_users(client) -> bool:
    # The API's default is LEGACY; the CDK client sets ENABLED.
    return client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def _pool_and_client(backend, client_id: str):
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return pool, pool.clients[client_id]
    raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")


def _pool_name(pool) -> str:
    return pool.id.split("_", 1)[1]


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def _email_delivery(email: str) -> dict:
    return {"Destination": _mask(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _verification_message(pool, code: str) -> tuple[str, str]:
    config = pool.extended_config
    template = config.get("VerificationMessageTemplate") or {}
    subject = template.get("EmailSubject") or config.get("EmailVerificationSubject") or "Your verification code"
    body = template.get("EmailMessage") or config.get("EmailVerificationMessage") or "Your verification code is {####}."
    return subject, body.replace("{####}", code)


def _send_code(pool, user, purpose: str, seconds: float, attribute: str) -> dict:
    """Issue a code and deliver it through `attribute`; CodeDeliveryDetails."""
    code = _CODES.issue(pool.id, user.username, purpose, seconds)
    if attribute == "email":
        email = user.attribute_lookup["email"]
        MAILBOX.deliver(email, *_verification_message(pool, code), code)
        return _email_delivery(email)
    # No local SMS: the code is kept, nothing is delivered.
    return {"Destination": "+*******" + user.attribute_lookup.get("phone_number", "")[-4:],
            "DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def _auto_verified(pool, user) -> str | None:
    """The attribute a sign-up code goes to: the first the pool auto-verifies that the
    user has (e-mail before phone, as Cognito picks)."""
    auto_verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    return next((a for a in ("email", "phone_number") if a in auto_verified and a in user.attribute_lookup), None)


def _verified(user, attribute: str) -> bool:
    return attribute in user.attribute_lookup and \
        str(user.attribute_lookup.get(f"{attribute}_verified", "false")).lower() == "true"


def _recovery_attribute(pool, user) -> str:
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


def _temporary_expired(pool, user) -> bool:
    since = getattr(user, "ringback_temporary_since", None)
    days = password_policy(pool)["TemporaryPasswordValidityDays"]
    return since is not None and time.time() - since > days * 86400


def _refuse_after_password(pool, user) -> None:
    """What still stops a user whose password was right."""
    if user.status == "RESET_REQUIRED":
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == "FORCE_CHANGE_PASSWORD" and _temporary_expired(pool, user):
        raise NotAuthorizedException("Temporary password has expired and must be reset by an administrator.")


def _check_secret_hash(client, username: str, secret_hash: str | None) -> None:
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
        if _hides_users(client):
            return None
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "UNCONFIRMED":
        # Whatever the password: Cognito tells an unconfirmed user to confirm.
        raise UserNotConfirmedException("User is not confirmed.")
    return user


def _check_password(pool, client, username: str | None, password: str | None) -> None:
    user = _user_for_sign_in(pool, client, username)
    if user is None or not _same_password(user, password):
        raise _incorrect()
    _refuse_after_password(pool, user)


def _same_password(user, password: str | None) -> bool:
    return bool(user.password) and hmac.compare_digest(user.password.encode(), (password or "").encode())


# -- the request's context (what a response method knows and the backend does not) -------

_REQUEST = threading.local()


@contextmanager
def _context(**values):
    saved = {name: getattr(_REQUEST, name, None) for name in values}
    for name, value in values.items():
        setattr(_REQUEST, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(_REQUEST, name, value)


# -- moto, patched ----------------------------------------------------------------------

_installed = False


def install() -> None:
    """Make moto's cognito-idp behave as described above (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    _patch_pool()
    _patch_backend()
    _patch_responses()


def _patch_pool() -> None:
    from moto.cognitoidp.models import CognitoIdpUserPool

    get_user = CognitoIdpUserPool._get_user

    def _get_user(self, username):
        """Usernames and e-mail aliases match without case unless the pool says otherwise."""
        user = get_user(self, username)
        case_sensitive = (self.extended_config.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
        if user is not None or not username or case_sensitive:
            return user
        folded = username.casefold()
        attributes = self.extended_config.get("UsernameAttributes") or []
        for candidate in self.users.values():
            names = [candidate.username] + [candidate.attribute_lookup.get(a) for a in attributes]
            if any(name and str(name).casefold() == folded for name in names):
                return candidate
        return None

    def get_user_extra_data_by_client_id(self, client_id, username):
        """The ID token's claims: every attribute the client may read, as Cognito types them."""
        client = self.clients.get(client_id)
        readable = client.get_readable_fields() if client else []
        claims: dict[str, Any] = {}
        for attribute in self._get_user(username).attributes:
            name, value = attribute["Name"], attribute["Value"]
            if name == "sub" or (readable and name not in readable):
                continue
            if name in ("email_verified", "phone_number_verified"):
                value = str(value).lower() == "true"
            claims[name] = value
        return claims

    create_jwt = CognitoIdpUserPool.create_jwt
    unit_seconds = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

    def _create_jwt(self, client_id, username, token_use, expires_in=None, extra_data=None):
        if expires_in is None:
            # As long as the app client says (IdTokenValidity, in TokenValidityUnits); 1 hour by default.
            config = self.clients[client_id].extended_config if client_id in self.clients else {}
            kind = {"id": "IdToken", "access": "AccessToken"}[token_use]
            validity = config.get(f"{kind}Validity")
            unit = (config.get("TokenValidityUnits") or {}).get(kind, "hours")
            expires_in = int(validity) * unit_seconds[unit] if validity else 3600
        return create_jwt(self, client_id, username, token_use, expires_in, extra_data)

    CognitoIdpUserPool._get_user = _get_user
    CognitoIdpUserPool.get_user_extra_data_by_client_id = get_user_extra_data_by_client_id
    CognitoIdpUserPool.create_jwt = _create_jwt


def _patch_backend() -> None:
    from moto.cognitoidp import exceptions as moto_errors
    from moto.cognitoidp.models import CognitoIdpBackend, UserStatus

    B = CognitoIdpBackend
    original = {name: getattr(B, name) for name in (
        "sign_up", "admin_create_user", "admin_set_user_password", "admin_reset_user_password",
        "initiate_auth", "admin_initiate_auth", "respond_to_auth_challenge")}

    def _validate_password(self, user_pool_id, password):
        enforce_password(self.describe_user_pool(user_pool_id), password,
                         getattr(_REQUEST, "wording", None) or DEFAULT_WORDING)

    def sign_up(self, client_id, username, password, attributes):
        pool, _ = _pool_and_client(self, client_id)
        if (pool.extended_config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
            raise NotAuthorizedException("SignUp is not permitted for this user pool")
        try:
            with _context(wording=SIGN_UP_WORDING):
                user, _ = original["sign_up"](self, client_id, username, password or "", attributes)
        except moto_errors.UsernameExistsException:
            by_email = "email" in (pool.extended_config.get("UsernameAttributes") or [])
            raise UsernameExistsException("An account with the given email already exists." if by_email
                                          else "User already exists") from None
        attribute = _auto_verified(pool, user)
        return user, (_send_code(pool, user, "sign_up", SIGN_UP_CODE_SECONDS, attribute) if attribute else None)

    def confirm_sign_up(self, client_id, username, confirmation_code=None):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if _hides_users(client):
                raise CodeMismatchException(CODE_MISMATCH)
            raise UserNotFoundException("Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            status = getattr(user.status, "value", user.status)
            raise NotAuthorizedException(f"User cannot be confirmed. Current status is {status}")
        _CODES.redeem(pool.id, user.username, "sign_up", confirmation_code)
        user.status = UserStatus.CONFIRMED
        # The code reached the user through an auto-verified attribute: it is verified now.
        attribute = _auto_verified(pool, user)
        if attribute:
            user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])
        return ""

    def resend_confirmation_code(self, client_id, username):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if _hides_users(client):
                return {"CodeDeliveryDetails": _email_delivery(username if "@" in username else f"{username}@x")}
            raise UserNotFoundException("Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            raise InvalidParameterException("User is already confirmed.")
        attribute = _auto_verified(pool, user)
        if attribute:
            return {"CodeDeliveryDetails": _send_code(pool, user, "sign_up", SIGN_UP_CODE_SECONDS, attribute)}
        raise InvalidParameterException("Auto verification not turned on.")

    def forgot_password(self, client_id, username):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if _hides_users(client):
                return None, {"CodeDeliveryDetails": _email_delivery(username if "@" in username else f"{username}@x")}
            raise UserNotFoundException("Username/client id combination not found.")
        attribute = _recovery_attribute(pool, user)
        return None, {"CodeDeliveryDetails": _send_code(pool, user, "reset", RESET_CODE_SECONDS, attribute)}

    def confirm_forgot_password(self, client_id, username, password, confirmation_code):
        pool, client = _pool_and_client(self, client_id)
        user = pool._get_user(username)
        if user is None:
            if _hides_users(client):
                raise CodeMismatchException(CODE_MISMATCH)
            raise UserNotFoundException("Username/client id combination not found.")
        enforce_password(pool, password, DEFAULT_WORDING)
        _CODES.redeem(pool.id, user.username, "reset", confirmation_code)
        user.password = password
        user.ringback_temporary_since = None
        if user.status in ("RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"):
            user.status = UserStatus.CONFIRMED

    def admin_reset_user_password(self, user_pool_id, username):
        original["admin_reset_user_password"](self, user_pool_id, username)
        pool = self.describe_user_pool(user_pool_id)
        user = pool._get_user(username)
        _send_code(pool, user, "reset", RESET_CODE_SECONDS, _recovery_attribute(pool, user))

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
            user = original["admin_create_user"](self, user_pool_id, username, None, temporary_password, attributes)
        user.ringback_temporary_since = time.time()
        mediums = getattr(_REQUEST, "delivery", None) or ["SMS"]
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
                if not _same_password(user, previous_password):
                    raise _incorrect()
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
        if auth_flow in _known_flows():
            _require_flow(client, auth_flow)
        if auth_flow == "USER_SRP_AUTH":
            return _start_srp(pool, client, params)
        if auth_flow == "USER_PASSWORD_AUTH":
            _check_secret_hash(client, params.get("USERNAME") or "", params.get("SECRET_HASH"))
            _check_password(pool, client, params.get("USERNAME"), params.get("PASSWORD"))
        return original["initiate_auth"](self, client_id, auth_flow, auth_parameters)

    def admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters):
        pool = self.describe_user_pool(user_pool_id)
        client = pool.clients.get(client_id)
        if client is None:
            raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
        params = auth_parameters or {}
        if auth_flow in _known_flows():
            _require_flow(client, auth_flow)
        if auth_flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
            _check_secret_hash(client, params.get("USERNAME") or "", params.get("SECRET_HASH"))
            _check_password(pool, client, params.get("USERNAME"), params.get("PASSWORD"))
        return original["admin_initiate_auth"](self, user_pool_id, client_id, auth_flow, auth_parameters)

    def respond_to_auth_challenge(self, session, client_id, challenge_name, challenge_responses):
        if challenge_name != "PASSWORD_VERIFIER":
            return original["respond_to_auth_challenge"](self, session, client_id, challenge_name,
                                                         challenge_responses)
        pool, client = _pool_and_client(self, client_id)
        responses = challenge_responses or {}
        user = _verify_password_claim(pool, client, responses)
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


def _known_flows() -> list[str]:
    from moto.cognitoidp.models import AuthFlow

    return AuthFlow.list()


def _start_srp(pool, client, params: dict) -> dict:
    """InitiateAuth USER_SRP_AUTH: the PASSWORD_VERIFIER challenge, with B computed from
    the stored password's verifier."""
    username = params.get("USERNAME") or ""
    try:
        a_value = int(params.get("SRP_A") or "", 16)
    except ValueError:
        raise InvalidParameterException("SRP_A is not a valid hexadecimal number") from None
    if a_value % N == 0:
        raise _incorrect()
    _check_secret_hash(client, username, params.get("SECRET_HASH"))
    user = _user_for_sign_in(pool, client, username)
    salt = getattr(user, "ringback_srp_salt", None) if user else None
    if salt is None:
        salt = srp_hex(secrets.randbits(128))
        if user is not None:
            user.ringback_srp_salt = salt
    user_id = user.username if user else username
    if user is not None and user.password:
        b_value, key = srp_session_key(a_value, srp_verifier(_pool_name(pool), user_id, user.password, salt))
    else:
        # Nobody to prove: a challenge that looks like any other and that no answer passes.
        b_value, key = srp_session_key(a_value, pow(G, secrets.randbits(256), N))
        key = None
    secret_block = base64.b64encode(secrets.token_bytes(128)).decode()
    minutes = int(client.extended_config.get("AuthSessionValidity") or 3)
    _CLAIMS.add(secret_block, _PasswordClaim(client.id, user.username if user else None, key,
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


def _verify_password_claim(pool, client, responses: dict):
    """RespondToAuthChallenge PASSWORD_VERIFIER: the client's proof that it knows the
    password, checked; the user it proves."""
    for name in ("USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
        if not responses.get(name):
            raise InvalidParameterException(f"Missing required parameter {name}")
    block = responses["PASSWORD_CLAIM_SECRET_BLOCK"]
    claim = _CLAIMS.take(block)
    if claim is None or claim.client_id != client.id:
        raise _incorrect()
    if claim.expires_at < time.time():
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    user = pool._get_user(responses["USERNAME"])
    if claim.key is None or user is None or user.username != claim.user_id:
        raise _incorrect()
    if not cognito_timestamp(responses["TIMESTAMP"]):
        raise _incorrect()
    try:
        secret = base64.b64decode(block, validate=True)
    except ValueError:
        raise _incorrect() from None
    expected = claim_signature(claim.key, _pool_name(pool), claim.user_id, secret, responses["TIMESTAMP"])
    if not hmac.compare_digest(expected.encode(), responses["PASSWORD_CLAIM_SIGNATURE"].encode()):
        raise _incorrect()
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status == "UNCONFIRMED":
        raise UserNotConfirmedException("User is not confirmed.")
    _refuse_after_password(pool, user)
    return user


def _patch_responses() -> None:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.cognitoidp.models import cognitoidp_backends, find_account_region_by_value
    from moto.cognitoidp.responses import CognitoIdpResponse

    def backend_for(response, client_id):
        account, region = find_account_region_by_value("client_id", client_id,
                                                        fallback=(response.current_account, response.region))
        return cognitoidp_backends[account][region]

    def confirm_sign_up(self):
        client_id = self._get_param("ClientId")
        backend_for(self, client_id).confirm_sign_up(client_id, self._get_param("Username"),
                                                     self._get_param("ConfirmationCode"))
        return EmptyResult()

    def resend_confirmation_code(self):
        client_id = self._get_param("ClientId")
        return ActionResult(backend_for(self, client_id).resend_confirmation_code(client_id,
                                                                                  self._get_param("Username")))

    def forgot_password(self):
        # Cognito sends the code; it is not in the answer (moto puts it in a header).
        client_id = self._get_param("ClientId")
        _, answer = backend_for(self, client_id).forgot_password(client_id, self._get_param("Username"))
        return ActionResult(answer)

    create_user = CognitoIdpResponse.admin_create_user

    def admin_create_user(self):
        with _context(delivery=self._get_param("DesiredDeliveryMediums")):
            return create_user(self)

    CognitoIdpResponse.confirm_sign_up = confirm_sign_up
    CognitoIdpResponse.resend_confirmation_code = resend_confirmation_code
    CognitoIdpResponse.forgot_password = forgot_password
    CognitoIdpResponse.admin_create_user = admin_create_user
