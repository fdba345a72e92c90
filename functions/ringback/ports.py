"""What the domain needs from the outside world, named in its own words.

Each port has an adapter over AWS (ringback.adapters.dynamo, ...) and an in-memory fake
(ringback.adapters.memory); tests/adapters/ runs one contract suite against both.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ringback.accounts.api_keys import ApiKey
    from ringback.accounts.audit import AuditEntry
    from ringback.accounts.caller_ids import CallerIdValidation, VerifiedCallerId
    from ringback.accounts.carrier_numbers import AvailableNumber, OwnedNumber
    from ringback.accounts.members import Invitation
    from ringback.accounts.sites import Site
    from ringback.accounts.tenants import Membership, Tenant
    from ringback.calls.alerts import Message
    from ringback.calls.deliveries import DeliveryAttempt
    from ringback.calls.inbound import TrackingNumber
    from ringback.calls.log import CallSummary, Page
    from ringback.tracking.leases import Candidate, HistoryEntry, Lease, LeaseRequest
    from ringback.tracking.pools import Pool
    from ringback.tracking.rules import Route
    from ringback.tracking.visits import Visit


class SiteDirectory(Protocol):
    def by_key(self, site_key: str) -> Site | None: ...
    def get(self, site_id: str) -> Site | None: ...
    def for_tenant(self, tenant_id: str) -> list[Site]: ...
    def save(self, site: Site, expected_version: int | None = None) -> None:
        """Store the site as version site.version + 1. With expected_version, only if the
        stored one is still that version (0: a site not stored yet, or stored before
        versions), else PreconditionFailed and nothing written."""
        ...
    def delete(self, site_id: str, expected_version: int) -> None:
        """Delete the site if it is still at that version, else PreconditionFailed."""
        ...


class EdgeCache(Protocol):
    """The CDN in front of the public routes, which keeps some answers for a while
    (ringback.accounts.edge_cache): told which paths changed, it stops serving them."""

    def invalidate(self, paths: list[str]) -> None:
        """Forget these paths (exact, or ending in * for a prefix) everywhere; raises
        EdgeCacheUnavailable if the CDN could not be told."""
        ...


class TenantDirectory(Protocol):
    def get(self, tenant_id: str) -> Tenant | None: ...
    def clients_of(self, agency_id: str) -> list[Tenant]: ...
    def save(self, tenant: Tenant) -> None: ...
    def create(self, tenant: Tenant) -> bool:
        """Save a tenant that does not exist yet; False (and nothing written) if it does."""
        ...
    def set_profile(self, tenant_id: str, name: str, kind: str,
                    recording_retention_days: int | None = None) -> None:
        """Change the tenant's name and kind (and its recording retention, when given)
        only, so a rename never undoes a write to another attribute (a first purchase
        naming the carrier subaccount)."""
        ...
    def keep_carrier_account(self, tenant_id: str, account_sid: str) -> str | None:
        """Name the tenant's carrier subaccount, unless one is named already: the one
        named afterwards (the earlier one, when two first purchases raced), None for no
        such tenant. Only that attribute is written."""
        ...
    def memberships_of(self, user_id: str) -> list[Membership]: ...
    def members_of(self, tenant_id: str) -> list[Membership]: ...
    def add_member(self, membership: Membership) -> None:
        """Add a member, or replace their membership (a new role)."""
        ...
    def remove_member(self, tenant_id: str, user_id: str) -> None: ...


class Invitations(Protocol):
    def save(self, invitation: Invitation) -> None: ...
    def get(self, tenant_id: str, invitation_id: str) -> Invitation | None: ...
    def of_tenant(self, tenant_id: str) -> list[Invitation]: ...
    def pending_for(self, email: str) -> list[Invitation]:
        """Every tenant's invitations to this (normalised) address, expired ones too."""
        ...
    def delete(self, tenant_id: str, invitation_id: str) -> None: ...


class UserInviter(Protocol):
    """The dashboard's user pool, as an invitation reaches the invitee through it."""

    def invite(self, email: str) -> bool:
        """Make the (normalised) address a user of the pool, its address verified, and
        e-mail it a temporary password; True when that e-mail went out. An address
        invited before that has not set its password yet gets a fresh temporary password
        (True). An address with a user of its own (signed up, confirmed or not) is sent
        nothing: False. Unavailable when the pool cannot send it now."""
        ...


class ApiKeyStore(Protocol):
    def save(self, key: ApiKey) -> None: ...
    def get(self, key_id: str) -> ApiKey | None: ...
    def of_tenant(self, tenant_id: str) -> list[ApiKey]: ...
    def touch(self, key_id: str, at_ms: int) -> None:
        """Note a use of the key (last_used_at), never moving it back in time."""
        ...
    def revoke(self, key_id: str, at_ms: int) -> None:
        """Mark the key revoked (once: a second revocation keeps the first time), without
        rewriting what else the key holds."""
        ...


class UsageMeter(Protocol):
    """The gateway's metering per API key (API Gateway usage plans): each live key of a
    tenant is enrolled under its own identifier, which the authorizer names on every
    request it lets through; signed-in users share the dashboard's identifier."""
    def identifier(self, key_id: str | None) -> str:
        """What the authorizer names for a key (None: a signed-in user)."""
        ...
    def enroll(self, key_id: str) -> None:
        """Meter the key from now on; Unavailable if the gateway cannot be reached."""
        ...
    def withdraw(self, key_id: str) -> None:
        """Stop metering the key (harmless if it never was)."""
        ...


class AuditLog(Protocol):
    def add(self, entry: AuditEntry) -> None: ...
    def of_tenant(self, tenant_id: str, limit: int, cursor: str | None, start_ms: int | None = None,
                  end_ms: int | None = None) -> tuple[list[AuditEntry], str | None]:
        """Newest first, only entries at start_ms <= at < end_ms (None: unbounded); the
        cursor (the last entry id read) continues where the page ended (None: no more).
        A cursor outside the range starts at its newest end, or reads nothing past its oldest."""
        ...


class DeliveryLog(Protocol):
    """Every attempt to deliver a webhook (ringback.calls.deliveries), by endpoint."""

    def add(self, attempt: DeliveryAttempt) -> None:
        """Keep one attempt; the same attempt again (same delivery id) replaces it."""
        ...
    def of_endpoint(self, tenant_id: str, site_id: str, endpoint_id: str, since_ms: int, limit: int,
                    after: str | None) -> tuple[list[DeliveryAttempt], str | None]:
        """That endpoint's attempts at or after since_ms, newest first, at most `limit`,
        from just after the delivery id `after` (None: the newest); and the delivery id
        to continue after when more follow (None: no more)."""
        ...


class PoolDirectory(Protocol):
    def for_site(self, site_id: str) -> list[Pool]: ...
    def get(self, pool_id: str) -> Pool | None: ...
    def save(self, pool: Pool, expected_version: int | None = None) -> None:
        """Store the pool as version pool.version + 1, keeping the overflow count the
        lease store adds to. With expected_version, only if the stored one is still that
        version (0: a pool not stored yet), else PreconditionFailed and nothing written."""
        ...
    def delete(self, pool_id: str, expected_version: int) -> None:
        """Delete the pool if it is still at that version, else PreconditionFailed. Its
        numbers are removed first (remove_number)."""
        ...
    def remove_number(self, pool: Pool, number: str, now_ms: int) -> bool:
        """Stop tracking one number of the pool and take its lines off the free list, in
        a write no lease can slip past; False, and the number kept as it was, while a
        visitor holds one of its lines at now_ms (or it is not the pool's)."""
        ...
    def add_numbers(self, pool: Pool, numbers: Iterable[str], now_ms: int, sms: bool = True) -> None:
        """Rent numbers into a pool; `sms`: whether the carrier lets them send texts."""
        ...
    def add_static_number(self, tenant_id: str, site_id: str, number: str, channel: dict[str, Any], now_ms: int,
                          sms: bool = True) -> None: ...
    def numbers_of(self, pool: Pool) -> list[str]: ...
    def size(self, pool: Pool) -> int: ...
    def site_numbers(self, site_id: str) -> list[TrackingNumber]:
        """Every tracking number of the site, static and pooled: the numbers its account
        owns at the carrier, so the only ones it may call or text from."""
        ...
    def remove_static_number(self, site_id: str, number: str) -> bool:
        """Stop tracking a static number of the site; False when it is not one."""
        ...
    def set_channel(self, site_id: str, number: str, channel: dict[str, Any]) -> bool:
        """Change the channel rule of a static number of the site; False when it is not one."""
        ...


class CallLog(Protocol):
    def add(self, tenant_id: str, call: CallSummary, retain_until_ms: int | None = None) -> bool:
        """Store a call once; False when that call id is stored already (a retried webhook).
        `retain_until_ms`: when TTL may remove it (the tenant's retention); None: kept."""
        ...

    def between(self, tenant_id: str, start_ms: int, end_ms: int, limit: int,
                cursor: str | None) -> Page[CallSummary]: ...
    def get(self, call_id: str) -> tuple[str, CallSummary] | None:
        """The call and its tenant."""
        ...
    def previous_calls(self, tenant_id: str, caller: str, before_ms: int, limit: int = 10) -> list[CallSummary]:
        """That caller's calls to the tenant started before before_ms, newest first: what
        each was made to and attributed to (outcome, recordings and alerts left out)."""
        ...
    def has_caller(self, tenant_id: str, caller: str) -> bool:
        """Has this number called the tenant before."""
        ...
    def finish(self, call_id: str, status: str, outcome: dict[str, Any]) -> bool:
        """Record how a ringing (or abandoned) call ended; False if its outcome was stored
        already (a retry)."""
        ...
    def add_recording(self, call_id: str, recording_sid: str, key: str) -> None:
        """Keep where a recording of the call is stored, whatever else is written."""
        ...
    def annotate(self, call_id: str, outcome: dict[str, Any]) -> None:
        """Replace an ended call's outcome (a voicemail left after a missed dial)."""
        ...
    def record_end(self, call_id: str, carrier_status: str, call_seconds: int) -> bool:
        """Keep the carrier's final status of the call and the caller's whole time on the
        line, once: False when they were kept already (a retried callback). A call still
        ringing then (no outcome was stored: the caller hung up first) becomes
        `abandoned`, which a late outcome (finish) may still replace."""
        ...
    def note_alert(self, call_id: str, message_id: str, alert: dict[str, Any]) -> None:
        """Keep the latest state of a text about the call (alerts[message_id]); an entry
        is replaced only by one of a higher `rank`, whatever order the writes land in."""
        ...
    def set_lead(self, call_id: str, lead: dict[str, Any], expected_version: int) -> bool:
        """Store the call's lead as version expected_version + 1, only if the stored lead
        is still at expected_version (0: never set). False, and nothing written, when it
        is not (or there is no such call). Nothing else of the call is written."""
        ...
    def of_caller(self, tenant_id: str, caller: str, limit: int) -> list[CallSummary]:
        """That caller's latest calls to the tenant, newest first, whole (lead and outcome
        included)."""
        ...
    def cursor_after(self, tenant_id: str, call: CallSummary) -> str:
        """A cursor for between() that continues after this call of the tenant's log: a
        reader that stopped part way through a page resumes exactly there."""
        ...


class Notifier(Protocol):
    def send_sms(self, to: str, sender: str, body: str, status_url: str, account: str | None = None) -> str:
        """Send a text message through the carrier, in the carrier account `account` (the
        tenant's subaccount; None: our main account), which reports its progress to
        status_url; returns the message id ("{provider}:{sid}"). Raises
        ringback.calls.alerts.SmsRefused when the carrier will not create it."""
        ...


class CarrierRecordings(Protocol):
    """The carrier's copies of call recordings, each in the account of the call."""

    def download_recording(self, recording_sid: str, account: str | None = None) -> bytes: ...
    def delete_recording(self, recording_sid: str, account: str | None = None) -> None: ...


class RecordingStore(Protocol):
    """Our copies of call recordings (the recordings bucket), by key."""

    def exists(self, key: str) -> bool: ...
    def put(self, key: str, body: bytes, content_type: str, tags: dict[str, str] | None = None) -> None:
        """Store the object, tagged (its retention class, which the bucket's lifecycle expires)."""
        ...
    def presign(self, key: str, seconds: int) -> str:
        """A link that lets its holder download the object for `seconds`."""
        ...


class MessageLog(Protocol):
    def add(self, message: Message) -> Message:
        """Keep a text we sent. A status the carrier reported before this write (its
        callback can beat it) is kept over the message's own; returns what is stored."""
        ...
    def advance(self, message_id: str, status: str, rank: int, error_code: str | None,
                at_ms: int) -> Message | None:
        """Move a text's status forward: applied only over a lower rank (or to a text not
        stored yet, which add() completes). The stored message, or None if unchanged."""
        ...
    def get(self, message_id: str) -> Message | None: ...


class VisitLog(Protocol):
    def save(self, visit: Visit, retain_until_ms: int) -> None: ...
    def get(self, session_id: str) -> Visit | None: ...
    def page_viewed(self, session_id: str, now_ms: int) -> None: ...
    def add_click(self, session_id: str, site_id: str, client_id: str, line: str, at_ms: int) -> bool:
        """Append a tel: click to the visit; False when the session is not that visitor's."""
        ...
    def of_visitor(self, site_id: str, client_id: str, since_ms: int, until_ms: int) -> list[Visit]:
        """The visitor's visits to the site started between since_ms and until_ms
        (inclusive), oldest first, with their clicks."""
        ...


class NumberDirectory(Protocol):
    def tracking_number(self, number: str) -> TrackingNumber | None: ...


class Routing(Protocol):
    def routes_for(self, site_id: str) -> list[Route]: ...
    def pool(self, pool_id: str) -> Pool | None: ...


class LeaseStore(Protocol):
    def lines(self, pool_key: str, limit: int) -> list[Candidate]:
        """Up to `limit` lines of a pool shard, free or held, in free-at order (the line
        free longest, or held by the least recently active visitor, first), each with its
        sequence: one read whatever the pool's size."""
        ...
    def last_lease_of(self, visitor_key: str, pool_id: str) -> HistoryEntry | None:
        """The visitor's latest lease in that pool (its line and code), if any."""
        ...
    def take(self, request: LeaseRequest, now_ms: int) -> bool:
        """Lease the line if its last lease has ended by now_ms and it is still in the
        request's pool shard; the line's sequence becomes request.sequence (unless None),
        and the lease and its history keep the code. False: someone else has it."""
        ...
    def share(self, request: LeaseRequest, now_ms: int) -> bool:
        """Add the (flagged) lease to a held line of a full pool, and count the pool's
        overflow, all at once. Applied only while the line is in the shard, its sequence
        is still request.seen_sequence (so two sharers never get one code) and its end
        is not after the new lease's; the line's end becomes the lease's. False: a
        condition failed (read the lines again)."""
        ...
    def count_overflow(self, pool_id: str) -> None:
        """One more visitor the pool could not serve (shown the site's own number)."""
        ...
    def leases_of(self, session_id: str) -> list[Lease]: ...
    def extend(self, lease: Lease, until: int, pool_key: str, now_ms: int) -> bool: ...
    def held_at(self, line: str, at_ms: int, grace_ms: int = 0) -> list[HistoryEntry]: ...
    def history_of_pool(self, pool_id: str, since_ms: int, until_ms: int) -> list[HistoryEntry]: ...
    def shown_on(self, number: str, since_ms: int, until_ms: int) -> list[HistoryEntry]:
        """Every lease of the number's lines (the number itself, or each "number,ext")
        that ran at some time between since_ms and until_ms, oldest first."""
        ...


class NumberCarrier(Protocol):
    """The carrier's numbers and accounts, as a tenant's self service needs them: each
    tenant's numbers live in a subaccount of ours (ringback.accounts.carrier_numbers)."""

    def open_subaccount(self, friendly_name: str) -> str:
        """Open a subaccount of our main account; its SID."""
        ...
    def close_subaccount(self, account_sid: str) -> None:
        """Close a subaccount of ours for good; the carrier takes back its numbers."""
        ...
    def search(self, account_sid: str, country: str, kind: str, area_code: str | None = None,
               contains: str | None = None, sms: bool | None = None,
               limit: int = 20) -> list[AvailableNumber]:
        """Numbers for sale; kind is local | toll_free | mobile. InvalidInput for a
        search the carrier refuses, NotFound for a country or kind it does not sell."""
        ...
    def buy(self, account_sid: str, number: str, voice_url: str, status_callback: str,
            sms_url: str | None) -> OwnedNumber:
        """Buy the number into the account, its webhooks set. Conflict
        (number_not_available) when someone else has it or it is not for sale."""
        ...
    def owned(self, account_sid: str, number: str) -> OwnedNumber | None:
        """The account's own number, or None."""
        ...
    def release(self, account_sid: str, number_sid: str) -> None:
        """Give the number back to the carrier; NotFound if the account does not own it."""
        ...
    def auth_token(self, account_sid: str) -> str | None:
        """The auth token that account's webhooks are signed with; None for an account
        that is neither our main account nor one of its subaccounts."""
        ...
    def start_caller_id_validation(self, account_sid: str, number: str, friendly_name: str | None,
                                   status_callback: str | None = None) -> CallerIdValidation:
        """Ask the carrier to verify `number` as a caller ID of the account: it calls the
        number, and whoever answers keys in the validation code returned here. Conflict
        (caller_id_already_verified) when the account has verified it already,
        InvalidInput (invalid_phone) when the carrier will not call it."""
        ...
    def validation_in_progress(self, account_sid: str, call_sid: str) -> bool:
        """Whether the validation call is still queued, ringing or on the line."""
        ...
    def caller_ids(self, account_sid: str) -> list[VerifiedCallerId]:
        """The account's verified caller IDs."""
        ...
    def remove_caller_id(self, account_sid: str, caller_id_sid: str) -> None:
        """The number is no longer a caller ID of the account; NotFound if it was not one."""
        ...


class NumberQuarantine(Protocol):
    """Numbers released lately, which nobody may buy through us until their quarantine
    ends (ringback.accounts.purchases.QUARANTINE_DAYS)."""

    def hold(self, number: str, until_ms: int, tenant_id: str, released_at: int) -> None:
        """Quarantine the number until until_ms (replacing an earlier quarantine of it);
        tenant_id is who released it."""
        ...
    def held(self, numbers: Iterable[str], now_ms: int) -> dict[str, int]:
        """The numbers among these still quarantined at now_ms, each with when it ends."""
        ...
