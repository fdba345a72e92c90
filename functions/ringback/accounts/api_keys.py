"""API keys: a tenant's code calls the same routes as its dashboard.

A key is shown once, at creation: `rbk_{key_id}_{secret}`. Only a hash of the secret is
stored, so neither a table dump nor an operator can reveal a key. The secret carries 256
bits of randomness, so one SHA-256 over it resists guessing as well as a slow password
hash would, at no cost per request. A key acts for its own tenant with read or write
access (ringback.accounts.tenants.KEY_ACCESS), is revocable, and remembers when it was
last used (to the minute: one write per key per minute, however busy).

Each live key is also metered at the gateway (ringback.ports.UsageMeter: API Gateway's
usage plan for API keys gives every key its own rate, burst and daily quota), so one
tenant's busy integration cannot use up what the others share. A key is enrolled before
it is stored (a key that exists is always metered, or the gateway would refuse it) and
withdrawn once revoked.

Keys made before usage plans existed have no meter, and the gateway refuses a key whose
meter it does not know (403 `api_key_not_metered`). `enrol_existing_keys` meters every
live key that lacks one; each deploy runs it (functions/pool/key_enrolment.py, a trigger
of the stack). It reads the plan's members once, then the keys page by page, and enrols
only what is missing, so a second run changes nothing and a run cut short resumes by
running again.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from ringback.accounts.audit import Audit
from ringback.accounts.tenants import KEY_ACCESS, MANAGE, Principal, TenantScope
from ringback.errors import Forbidden, InvalidInput, NotFound, Unauthenticated, Unavailable
from ringback.ports import ApiKeyStore, UsageMeter

PREFIX = "rbk_"
LAST_USED_RESOLUTION_MS = 60_000
MAX_KEYS_PER_TENANT = 50
_SHAPE = re.compile(r"^rbk_(k[0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    tenant_id: str
    name: str
    access: str  # read | write
    secret_hash: str
    created_by: str
    created_at: int
    last_used_at: int | None = None
    revoked_at: int | None = None

    def as_json(self) -> dict[str, object]:
        return {"keyId": self.key_id, "name": self.name, "access": self.access, "createdBy": self.created_by,
                "createdAt": self.created_at, "lastUsedAt": self.last_used_at, "revokedAt": self.revoked_at,
                "hint": f"{PREFIX}{self.key_id}_…"}


def looks_like_key(token: str | None) -> bool:
    return token is not None and token.startswith(PREFIX)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeys:
    def __init__(self, store: ApiKeyStore, audit: Audit, meter: UsageMeter) -> None:
        self._store, self._audit, self._meter = store, audit, meter

    def create(self, scope: TenantScope, name: str, access: str, now_ms: int) -> tuple[ApiKey, str]:
        """The key, and the only copy of its secret there will ever be."""
        scope.require(MANAGE)
        name = (name or "").strip()
        if not 1 <= len(name) <= 100:
            raise InvalidInput("a key needs a name of 1 to 100 characters", code="invalid_name",
                               details={"field": "name"})
        if access not in KEY_ACCESS:
            raise InvalidInput(f"access must be one of {', '.join(KEY_ACCESS)}", code="invalid_access",
                               details={"field": "access", "allowed": list(KEY_ACCESS)})
        live = [k for k in self._store.of_tenant(scope.tenant_id) if k.revoked_at is None]
        if len(live) >= MAX_KEYS_PER_TENANT:
            raise InvalidInput(f"a tenant holds at most {MAX_KEYS_PER_TENANT} live keys: revoke one first",
                               code="too_many_keys")
        key_id, secret = "k" + secrets.token_hex(8), secrets.token_urlsafe(32)
        key = ApiKey(key_id, scope.tenant_id, name, access, _hash(secret), scope.actor, now_ms)
        self._meter.enroll(key_id)
        try:
            self._store.save(key)
        except Exception:
            self._meter.withdraw(key_id)
            raise
        self._audit.record(scope, "api_key.created", key_id, None, key.as_json(), now_ms)
        return key, f"{PREFIX}{key_id}_{secret}"

    def list(self, scope: TenantScope) -> list[ApiKey]:
        scope.require(MANAGE)
        return self._store.of_tenant(scope.tenant_id)

    def revoke(self, scope: TenantScope, key_id: str, now_ms: int) -> ApiKey:
        scope.require(MANAGE)
        key = self._store.get(key_id)
        if key is None or key.tenant_id != scope.tenant_id:
            raise NotFound("no such key", code="unknown_key")
        if key.revoked_at is not None:
            return key
        self._store.revoke(key_id, now_ms)
        # After the revocation, which alone stops the key: the authorizer refuses it now.
        self._meter.withdraw(key_id)
        revoked = replace(key, revoked_at=now_ms)
        self._audit.record(scope, "api_key.revoked", key_id, key.as_json(), revoked.as_json(), now_ms)
        return revoked

    def authenticate(self, token: str, now_ms: int) -> Principal:
        """The principal a presented key stands for, or Unauthenticated. Every failure
        answers alike, so a caller learns nothing about which keys exist."""
        match = _SHAPE.match(token or "")
        key = self._store.get(match.group(1)) if match else None
        if key is None or match is None or not hmac.compare_digest(key.secret_hash, _hash(match.group(2))):
            raise Unauthenticated("invalid API key", code="invalid_api_key")
        if key.revoked_at is not None:
            raise Unauthenticated("invalid API key", code="invalid_api_key")
        if key.last_used_at is None or now_ms - key.last_used_at >= LAST_USED_RESOLUTION_MS:
            self._store.touch(key.key_id, now_ms)
        return Principal(user_id=f"key:{key.key_id}", key_id=key.key_id, key_tenant=key.tenant_id,
                         key_access=key.access)


    def usage_identifier(self, principal: Principal) -> str:
        """What the authorizer names for API Gateway's usage plans: the key's own meter,
        or the dashboard's for a signed-in user."""
        return self._meter.identifier(principal.key_id)


def refuse_keys(principal: Principal) -> None:
    """For what only a person may do (accept an invitation, leave a tenant)."""
    if principal.key_id is not None:
        raise Forbidden("an API key cannot do this: sign in", code="not_a_user")


# -- metering the keys made before usage plans ------------------------------------------------


class KeyInventory(ApiKeyStore, Protocol):
    def page(self, cursor: str | None, limit: int) -> tuple[list[ApiKey], str | None]:
        """Up to `limit` keys of any tenant, revoked ones too, from `cursor` (None: the
        start), and the cursor of the next page (None: that was the last)."""
        ...


class MeterInventory(UsageMeter, Protocol):
    def metered_keys(self) -> set[str]:
        """The ids of our keys that hold a meter; Unavailable if the gateway cannot say."""
        ...


@dataclass
class Enrolment:
    """What one run did. `cursor`: where a run out of time stopped (None: it read every key)."""

    examined: int = 0
    metered_already: int = 0
    revoked: int = 0
    enrolled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Revoked keys whose meter had outlived them (revoke's withdrawal failed): withdrawn now.
    withdrawn: list[str] = field(default_factory=list)
    cursor: str | None = None
    complete: bool = False

    @property
    def done(self) -> bool:
        """Every live key is metered."""
        return self.complete and not self.failed

    def as_json(self) -> dict[str, object]:
        return {"examined": self.examined, "meteredAlready": self.metered_already, "revoked": self.revoked,
                "enrolled": len(self.enrolled), "enrolledKeys": self.enrolled, "failed": self.failed,
                "withdrawn": self.withdrawn, "complete": self.complete, "cursor": self.cursor}


def enrol_existing_keys(keys: KeyInventory, meter: MeterInventory, *, cursor: str | None = None,
                        page_size: int = 100, out_of_time: Callable[[], bool] = lambda: False) -> Enrolment:
    """Meter every live key that has no meter (and drop the meter a revoked key kept). A
    key that fails is listed and the run goes on: one key the gateway refuses does not
    leave the others unmetered."""
    run = Enrolment()
    metered = meter.metered_keys()
    while True:
        page, cursor = keys.page(cursor, page_size)
        for key in page:
            run.examined += 1
            if key.revoked_at is not None:
                run.revoked += 1
                if key.key_id in metered:
                    meter.withdraw(key.key_id)
                    run.withdrawn.append(key.key_id)
            elif key.key_id in metered:
                run.metered_already += 1
            else:
                _enrol(key.key_id, keys, meter, run)
        if cursor is None:
            run.complete = True
            return run
        if out_of_time():
            run.cursor = cursor
            return run


def _enrol(key_id: str, keys: KeyInventory, meter: MeterInventory, run: Enrolment) -> None:
    try:
        meter.enroll(key_id)
    except Unavailable:
        run.failed.append(key_id)
        return
    # Revoked while we enrolled it: the revocation's withdrawal may have come first.
    current = keys.get(key_id)
    if current is None or current.revoked_at is not None:
        meter.withdraw(key_id)
        run.revoked += 1
    else:
        run.enrolled.append(key_id)
