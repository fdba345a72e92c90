"""SRP, the server side, as Cognito runs it: the 3072-bit group, g = 2, k = H(N | g),
u = H(A | B), HKDF "Caldera Derived Key", a verifier computed from the stored password,
and the client's PASSWORD_CLAIM_SIGNATURE and TIMESTAMP. The challenges handed out wait
here for their answer (devstack/cognito/sign_in.py runs the exchange).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date

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
class PasswordClaim:
    """An SRP challenge handed out, waiting for the client's proof."""

    client_id: str
    user_id: str | None  # the user's internal username; None for a user that does not exist
    key: bytes | None
    expires_at: float


class _Claims:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, PasswordClaim] = {}

    def add(self, secret_block: str, claim: PasswordClaim) -> None:
        now = time.time()
        with self._lock:
            self._open = {k: c for k, c in self._open.items() if c.expires_at > now - 60}
            self._open[secret_block] = claim

    def take(self, secret_block: str) -> PasswordClaim | None:
        """One answer per challenge, right or wrong."""
        with self._lock:
            return self._open.pop(secret_block, None)


CLAIMS = _Claims()
