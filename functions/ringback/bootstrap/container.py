"""What the composition root hands the doors: `Services`, every adapter and domain
service a function may use, and `Unconfigured`, which stands where a function is not
given a resource.

Nothing heavy is imported here: the domain services' types are named for the checker only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ringback.accounts.tenants import READ, Principal, TenantScope, resolve_scope
from ringback.analytics.pipeline import ChangeLog
from ringback.callbacks.service import Callbacks
from ringback.calls.alerts import Alerts
from ringback.calls.events import Events
from ringback.calls.inbound import InboundCalls
from ringback.calls.recordings import Recordings
from ringback.calls.texts import InboundTexts
from ringback.clock import Clock
from ringback.metrics import CountedMetrics, PublishedMetrics
from ringback.ports import (
    CallLog,
    LeaseStore,
    Notifier,
    NumberCarrier,
    NumberQuarantine,
    PoolDirectory,
    Routing,
    SiteDirectory,
    TenantDirectory,
    VisitLog,
)
from ringback.settings import Settings
from ringback.tracking.sessions import Tracking

if TYPE_CHECKING:
    from ringback.accounts.alert_contacts import AlertContacts
    from ringback.accounts.api_keys import ApiKeys
    from ringback.accounts.audit import Audit
    from ringback.accounts.caller_ids import CallerIds
    from ringback.accounts.carrier_numbers import SigningTokens
    from ringback.accounts.install_check import InstallCheck
    from ringback.accounts.members import Members
    from ringback.accounts.number_shop import NumberShop
    from ringback.accounts.purchases import Purchases
    from ringback.accounts.site_admin import SiteAdmin
    from ringback.accounts.site_settings import SiteSettings
    from ringback.accounts.webhook_endpoints import WebhookEndpoints
    from ringback.adapters.secrets import CarrierCredentials
    from ringback.analytics.ad_spend import AdSpend
    from ringback.analytics.reports import Reports
    from ringback.callbacks.settings import CallbackSettings
    from ringback.calls.erasure import CallerErasure
    from ringback.guards import RateCounter
    from ringback.ports import EdgeCache
    from ringback.tracking.pool_admin import PoolAdmin
    from ringback.tracking.rule_order import SiteRules


@dataclass(frozen=True)
class Services:
    settings: Settings | None
    clock: Clock
    sites: SiteDirectory
    tenants: TenantDirectory
    pools: PoolDirectory
    calls: CallLog
    routing: Routing
    visits: VisitLog
    leases: LeaseStore
    tracking: Tracking
    inbound: InboundCalls
    notifier: Notifier | None
    recordings: Recordings
    events: Events | None
    callbacks: Callbacks
    # Powertools idempotency's persistence layer for accepted requests (callbacks).
    idempotency: object | None = None
    # The analytics pipeline: table changes to Parquet in the analytics bucket (reports).
    changes: ChangeLog | None = None
    # Reports over those files (Athena in AWS, DuckDB locally) and the ad spend they cost.
    reports: Reports | None = None
    ad_spend: AdSpend | None = None
    # Missed-call and missed-callback texts, and their delivery (dialer).
    alerts: Alerts | None = None
    # Visitors' texts to tracking numbers, forwarded to the site's contacts (dialer).
    texts: InboundTexts | None = None
    # Members, invitations, API keys and the audit log (the management API, the authorizer).
    members: Members | None = None
    api_keys: ApiKeys | None = None
    audit: Audit | None = None
    site_admin: SiteAdmin | None = None
    # A site's inbound routing and widget; its tracking numbers, channels and rule order.
    site_settings: SiteSettings | None = None
    site_rules: SiteRules | None = None
    # The carrier's numbers and subaccounts (the management API buys and releases
    # numbers; the dialer asks it for a subaccount's webhook token), and that check.
    number_carrier: NumberCarrier | None = None
    number_shop: NumberShop | None = None
    signing_tokens: SigningTokens | None = None
    # Buying into a tenant's subaccount (opened once) and giving back into quarantine,
    # shared by the static numbers, the pools and the caller IDs; pools managed.
    purchases: Purchases | None = None
    number_quarantine: NumberQuarantine | None = None
    pool_admin: PoolAdmin | None = None
    # A site's webhook endpoints and alert contacts (the management API).
    webhooks: WebhookEndpoints | None = None
    alert_contacts: AlertContacts | None = None
    # Caller IDs verified at the carrier, and a site's callback dial settings.
    caller_ids: CallerIds | None = None
    callback_settings: CallbackSettings | None = None
    # Whether a customer's page carries the snippet, fetched through the SSRF guard.
    install_check: InstallCheck | None = None
    # The fixed-window counters every rate limit counts on.
    rate_counter: RateCounter | None = None
    # A caller's data erased on the tenant's request (reports: it holds the analytics key).
    erasure: CallerErasure | None = None
    # Our main carrier account's SID and auth token as the application secret holds them
    # now (adapters/secrets.py: a TTL, and a refresh when a signature does not match).
    carrier_credentials: CarrierCredentials | None = None
    # Business metrics (ringback.metrics), flushed after each invocation, and the
    # invocation's tracer (None: tracing off, as on the local stack): see `observed`.
    metrics: PublishedMetrics = field(default_factory=CountedMetrics)
    tracer: Any = None
    # The edge's cache of the sites' public config, told of every site change through
    # `sites` (ringback.accounts.edge_cache); None where no function changes sites.
    edge_cache: EdgeCache | None = None

    def scope_for(self, principal: Principal, requested_tenant: str | None, permission: str = READ) -> TenantScope:
        """The tenant a request acts for, refused unless the caller holds `permission`
        there: reading by default, so a route that forgets to ask still checks."""
        return resolve_scope(self.tenants, principal, requested_tenant).require(permission)



class Unconfigured:
    """Stands in for an adapter of a resource this function is not given (infra/catalog.py
    declares what each one uses): using it says so, instead of failing on None."""

    def __init__(self, what: str) -> None:
        self._what = what

    def __getattr__(self, name: str):
        raise RuntimeError(f"this function is not configured with {self._what} (see infra/catalog.py)")

