"""Caller IDs a tenant verifies at the carrier: its office line, say, shown on callbacks
instead of a tracking number.

The carrier lets an account call From a number it does not own once someone at that
number has proved they hold it (Twilio: OutgoingCallerIds, a "validation request"): the
carrier calls the number, and whoever answers keys in the six-digit code we were given
and show to the user. The verified number is then a caller ID of that account only, so it
is verified in the tenant's own subaccount (opened on first use, as a first purchase
opens it: ringback.accounts.purchases), where its callbacks are placed.

What is verified is the carrier's to say: the list is read from it, never kept here. A
validation in progress is not listed by the carrier, so its start is read back from the
audit log, where every start is written anyway: a validation lasts a minute or two (the
call, the prompt, the digits), so the starts of the last PENDING_MS are all that can still
be pending, and the validation call's own state says whether it still is. One that ended
without verifying the number shows as failed until PENDING_MS have passed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ringback.accounts import numbers as number_rules
from ringback.accounts.provisioning import e164
from ringback.accounts.tenants import READ, WRITE, TenantScope
from ringback.errors import Conflict, InvalidInput, NotFound

if TYPE_CHECKING:
    from ringback.accounts.audit import Audit, AuditEntry
    from ringback.accounts.purchases import Purchases
    from ringback.ports import AuditLog, NumberCarrier, SiteDirectory

STARTED = "caller_id.verification_started"
REMOVED = "caller_id.removed"
PENDING_MS = 10 * 60_000
# Audit entries read back per page, and pages at most, looking for recent starts.
_PAGE, _PAGES = 50, 4

NEW_CALLER_ID = {
    "type": "object", "additionalProperties": False, "required": ["number"],
    "properties": {"number": {"type": "string", "minLength": 3, "maxLength": 32},
                   "friendlyName": {"type": "string", "minLength": 1, "maxLength": 64}},
}


@dataclass(frozen=True)
class CallerIdValidation:
    """What the carrier answers a validation request: the code to key in, and its call."""

    number: str
    validation_code: str
    call_sid: str


@dataclass(frozen=True)
class VerifiedCallerId:
    sid: str  # the carrier's id of the caller ID in its account
    number: str
    friendly_name: str


class CallerIds:
    def __init__(self, sites: SiteDirectory, carrier: NumberCarrier, audit: Audit, audit_log: AuditLog,
                 accounts: Purchases) -> None:
        """`accounts`: the tenant's carrier subaccount, as purchases open it, so a tenant
        has one subaccount whichever it does first: buy a number or verify a caller ID."""
        self._sites, self._carrier, self._accounts = sites, carrier, accounts
        self._audit, self._log = audit, audit_log

    def start(self, scope: TenantScope, number: str, friendly_name: str | None, now_ms: int) -> dict[str, Any]:
        """Ask the carrier to call `number`; the user keys in the code answered here."""
        scope.require(WRITE)
        number = _number(number)
        account = self._accounts.account_of(scope.tenant_id)
        validation = self._carrier.start_caller_id_validation(account, number, friendly_name)
        started = {"number": number, "friendlyName": friendly_name, "status": "pending", "startedAt": now_ms}
        # The code is not audited: it proves who holds the line, to the carrier alone.
        self._audit.record(scope, STARTED, number, None, {**started, "callSid": validation.call_sid}, now_ms)
        return {**started, "validationCode": validation.validation_code}

    def list(self, scope: TenantScope, now_ms: int) -> list[dict[str, Any]]:
        """The tenant's verified caller IDs, then the validations of the last minutes
        that have not verified their number (pending, or failed once their call ended)."""
        scope.require(READ)
        account = self._account(scope.tenant_id)
        if account is None:
            return []  # our main account's caller IDs are nobody's to show
        starts = self._recent_starts(scope.tenant_id, now_ms)
        # The calls' states before the list: the carrier verifies a number on its call,
        # before hanging up, so a call seen ended has verified it by then if it ever will.
        live = {number: self._carrier.validation_in_progress(account, entry.after["callSid"])
                for number, entry in starts.items()}
        verified = self._carrier.caller_ids(account)
        listed: list[dict[str, Any]] = [{"number": c.number, "friendlyName": c.friendly_name, "status": "verified"}
                  for c in sorted(verified, key=lambda c: c.number)]
        known = {c.number for c in verified}
        for number, entry in sorted(starts.items()):
            if number not in known:
                listed.append({"number": number, "friendlyName": entry.after.get("friendlyName"),
                               "status": "pending" if live[number] else "failed",
                               "startedAt": entry.at})
        return listed

    def remove(self, scope: TenantScope, number: str, now_ms: int) -> None:
        """Stop showing the number: refused while a site's callbacks call from it."""
        scope.require(WRITE)
        number = _number(number)
        account = self._account(scope.tenant_id)
        found = next((c for c in self._carrier.caller_ids(account) if c.number == number), None) if account else None
        if found is None:
            raise NotFound("the account has no such verified caller ID", code="unknown_caller_id")
        using = [s.site_id for s in self._sites.for_tenant(scope.tenant_id)
                 if number_rules.caller_id_choice(s) == (number, number_rules.VERIFIED)]
        if using:
            raise Conflict("a site's callbacks call from this caller ID: choose another one for them first",
                           code="caller_id_in_use", details={"siteIds": using})
        # Found among the account's caller IDs, so there is an account.
        self._carrier.remove_caller_id(cast(str, account), found.sid)
        self._audit.record(scope, REMOVED, number, {"number": number, "friendlyName": found.friendly_name}, None,
                           now_ms)

    def is_verified(self, tenant_id: str, number: str) -> bool:
        """Whether the tenant's carrier account has verified `number` (asked of the
        carrier now: the callback settings check it when it is chosen)."""
        account = self._account(tenant_id)
        return account is not None and any(c.number == number for c in self._carrier.caller_ids(account))

    def _account(self, tenant_id: str) -> str | None:
        return self._accounts.account(tenant_id)

    def _recent_starts(self, tenant_id: str, now_ms: int) -> dict[str, AuditEntry]:
        """The latest start of each number within PENDING_MS, from the audit log, unless
        the number was removed since (it had been verified, and is no attempt now). By
        time, not by order: entries of one millisecond come in any order."""
        starts: dict[str, AuditEntry] = {}
        removed: dict[str, int] = {}
        cursor = None
        for _ in range(_PAGES):
            entries, cursor = self._log.of_tenant(tenant_id, _PAGE, cursor)
            recent = [e for e in entries if e.at >= now_ms - PENDING_MS]
            for entry in recent:
                if entry.action == REMOVED:
                    removed[entry.target] = max(entry.at, removed.get(entry.target, entry.at))
                elif (entry.action == STARTED and isinstance(entry.after, dict) and entry.after.get("callSid")
                      and (entry.target not in starts or entry.at > starts[entry.target].at)):
                    starts[entry.target] = entry
            if cursor is None or len(recent) < len(entries):
                break
        return {number: entry for number, entry in starts.items() if removed.get(number, -1) < entry.at}


def _number(raw: str) -> str:
    """A caller ID as the carrier writes it: E.164, since a tenant has no one country."""
    try:
        return e164(raw, None)
    except InvalidInput as error:
        raise InvalidInput("a caller ID is a number in international format, such as +14155550142",
                           code=error.code, details={"field": "number"}) from None
