"""The composition root: settings in, adapters built once, on first use.

Nothing heavy happens at import, so a cold start and test collection stay fast. Tests
build their own Services (with fakes or another endpoint) instead of patching this.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from ringback.accounts.numbers import CarrierAccounts
from ringback.accounts.tenants import READ, Principal, TenantScope, resolve_scope
from ringback.calls.alerts import Alerts
from ringback.analytics.pipeline import ChangeLog
from ringback.callbacks.service import Callbacks
from ringback.clock import Clock, ScaledClock, SystemClock
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
from ringback.settings import Settings, load_settings
from ringback.calls.events import Events
from ringback.calls.inbound import InboundCalls
from ringback.calls.recordings import Recordings
from ringback.calls.texts import InboundTexts
from ringback.tracking.sessions import Tracking

if TYPE_CHECKING:
    from ringback.ports import UserInviter
    from ringback.accounts.api_keys import ApiKeys
    from ringback.accounts.audit import Audit
    from ringback.accounts.carrier_numbers import SigningTokens
    from ringback.accounts.members import Members
    from ringback.accounts.number_shop import NumberShop
    from ringback.accounts.purchases import Purchases
    from ringback.accounts.site_admin import SiteAdmin
    from ringback.accounts.site_settings import SiteSettings
    from ringback.tracking.pool_admin import PoolAdmin
    from ringback.tracking.rule_order import SiteRules
    from ringback.accounts.webhook_endpoints import WebhookEndpoints
    from ringback.accounts.alert_contacts import AlertContacts
    from ringback.accounts.caller_ids import CallerIds
    from ringback.callbacks.settings import CallbackSettings
    from ringback.accounts.install_check import InstallCheck
    from ringback.guards import RateCounter
    from ringback.analytics.ad_spend import AdSpend
    from ringback.analytics.reports import Reports


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
    members: "Members | None" = None
    api_keys: "ApiKeys | None" = None
    audit: "Audit | None" = None
    site_admin: "SiteAdmin | None" = None
    # A site's inbound routing and widget; its tracking numbers, channels and rule order.
    site_settings: "SiteSettings | None" = None
    site_rules: "SiteRules | None" = None
    # The carrier's numbers and subaccounts (the management API buys and releases
    # numbers; the dialer asks it for a subaccount's webhook token), and that check.
    number_carrier: "NumberCarrier | None" = None
    number_shop: "NumberShop | None" = None
    signing_tokens: "SigningTokens | None" = None
    # Buying into a tenant's subaccount (opened once) and giving back into quarantine,
    # shared by the static numbers, the pools and the caller IDs; pools managed.
    purchases: "Purchases | None" = None
    number_quarantine: "NumberQuarantine | None" = None
    pool_admin: "PoolAdmin | None" = None
    # A site's webhook endpoints and alert contacts (the management API).
    webhooks: "WebhookEndpoints | None" = None
    alert_contacts: "AlertContacts | None" = None
    # Caller IDs verified at the carrier, and a site's callback dial settings.
    caller_ids: "CallerIds | None" = None
    callback_settings: "CallbackSettings | None" = None
    # Whether a customer's page carries the snippet, fetched through the SSRF guard.
    install_check: "InstallCheck | None" = None
    # The fixed-window counters every rate limit counts on.
    rate_counter: "RateCounter | None" = None

    def scope_for(self, principal: Principal, requested_tenant: str | None, permission: str = READ) -> TenantScope:
        """The tenant a request acts for, refused unless the caller holds `permission`
        there: reading by default, so a route that forgets to ask still checks."""
        return resolve_scope(self.tenants, principal, requested_tenant).require(permission)


def assemble(settings, clock, sites, tenants, pools, calls, routing, visits, leases, rate_counter, numbers,
             notifier, recording_store, carrier_recordings, events=None, callback_store=None, workflow=None,
             dialer=None, idempotency=None, changes=None, *, messages) -> Services:
    from ringback.adapters.cache import CachedRouting, CachedSites, CachedTenants

    # The public path reads site, tenant and routes on every session start: cached. The
    # dashboard reads them uncached, so a change shows at once there.
    tracking = Tracking(
        CachedSites(sites, clock), CachedTenants(tenants, clock), CachedRouting(routing, clock), visits, leases, clock,
        rate_counter=rate_counter,
    )
    base_url = settings.public_base_url if settings is not None else "http://localhost"
    # Each call, text and recording request goes to the tenant's own carrier account.
    accounts = CarrierAccounts(tenants)
    alerts = Alerts(pools, notifier, messages, calls, callback_store, clock, base_url, carrier_accounts=accounts)
    inbound = InboundCalls(numbers, sites, routing, leases, visits, calls, clock, alerts, events)
    recordings = Recordings(calls, recording_store, carrier_recordings,
                            on_archived=lambda call_id: inbound.publish("call.recording", call_id),
                            carrier_accounts=accounts)
    callbacks = Callbacks(
        CachedSites(sites, clock), CachedTenants(tenants, clock), visits, calls, callback_store, workflow, dialer,
        rate_counter, alerts, events, recording_store, carrier_recordings, clock, base_url, pools,
        carrier_accounts=accounts,
    )
    return Services(settings, clock, sites, tenants, pools, calls, routing, visits, leases, tracking, inbound,
                    notifier, recordings, events, callbacks, idempotency, changes, alerts=alerts,
                    texts=InboundTexts(numbers, sites, inbound, alerts, messages), rate_counter=rate_counter)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    from ringback.adapters import dynamo, dynamo_accounts, dynamo_deliveries, dynamo_pools
    from ringback.adapters.carrier import TwilioCarrier
    from ringback.adapters.dynamo_leases import DynamoLeaseStore
    from ringback.adapters.dynamo_messages import DynamoMessages
    from ringback.adapters.http_out import page_fetcher, poster
    from ringback.adapters.parquet_s3 import ParquetEventFiles
    from ringback.adapters.s3 import S3RecordingStore
    from ringback.adapters.sqs import SqsDeliveryQueue
    from ringback.adapters.stepfunctions import StepFunctionsWorkflow
    from ringback.adapters.tables import bind_tables
    from ringback.adapters.twilio_numbers import TwilioNumbers

    if settings.secrets_arn:
        from ringback.adapters.secrets import read_secret

        settings = settings.with_secrets(read_secret(settings.secrets_arn, settings.region, settings.aws_endpoint_url))
    # Built now, in the function's init, not on a visitor's first request.
    bind_tables(settings.table_names(), settings.region, settings.aws_endpoint_url).client
    carrier = (
        TwilioCarrier(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base_url)
        if settings.twilio_account_sid and settings.twilio_auth_token
        else None
    )
    clock = clock or (SystemClock() if settings.time_scale == 1.0 else ScaledClock(settings.time_scale,
                                                                                       settings.time_origin_ms))
    sites = dynamo.DynamoSites()
    events = (
        Events(SqsDeliveryQueue(settings.events_queue_url, region=settings.region,
                                endpoint_url=settings.aws_endpoint_url),
               poster(settings.webhooks_allow_local), clock, sites, dynamo_deliveries.DynamoDeliveryLog())
        if settings.events_queue_url
        else None
    )
    services = assemble(
        settings,
        clock,
        sites,
        dynamo_accounts.DynamoTenants(),
        dynamo.DynamoPools(),
        dynamo.DynamoCallLog(),
        dynamo.DynamoRouting(),
        dynamo.DynamoVisits(),
        DynamoLeaseStore(),
        dynamo.DynamoRateCounter(),
        dynamo.DynamoNumbers(),
        carrier,
        S3RecordingStore(settings.recordings_bucket, region=settings.region, endpoint_url=settings.aws_endpoint_url)
        if settings.recordings_bucket else Unconfigured("the recordings bucket"),
        carrier,
        events,
        dynamo.DynamoCallbacks(),
        StepFunctionsWorkflow(settings.dial_workflow_arn, settings.region, settings.aws_endpoint_url)
        if settings.dial_workflow_arn else None,
        carrier,
        _idempotency_store(settings),
        # pyarrow is imported on the first write, so the functions without it build this too.
        changes=ChangeLog(ParquetEventFiles(settings.analytics_bucket, settings.region, settings.aws_endpoint_url),
                          settings.analytics_key) if settings.analytics_bucket else None,
        messages=DynamoMessages(),
    )
    numbers = (
        TwilioNumbers(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base_url)
        if settings.twilio_account_sid and settings.twilio_auth_token
        else None
    )
    services = with_accounts(services, dynamo_accounts.DynamoInvitations(), dynamo_accounts.DynamoApiKeys(),
                             dynamo_accounts.DynamoAuditLog(), numbers, quarantine=dynamo_pools.DynamoQuarantine(),
                             users=_user_inviter(settings))
    # A test delivery answers within the API's request, so it waits less than the queue's deliveries.
    services = with_site_parts(services, poster(settings.webhooks_allow_local, timeout=5),
                               settings.webhooks_allow_local, fetch_page=page_fetcher(settings.webhooks_allow_local),
                               deliveries=dynamo_deliveries.DynamoDeliveryLog())
    return with_reports(services, settings) if settings.analytics_bucket else services


def with_accounts(services: Services, invitations, api_keys, audit_log,
                  number_carrier: NumberCarrier | None = None, main_account: str | None = None,
                  quarantine: NumberQuarantine | None = None, users: "UserInviter | None" = None) -> Services:
    """The account services over the given stores. Only the functions granted their tables
    (infra/catalog.py) use them; the others never touch them, so building them is free.
    With a carrier (the functions given its secret), numbers are bought through it and
    webhooks checked with the token of the account they name. `users`: the user pool that
    e-mails invitations (the function granted it)."""
    from ringback.accounts.api_keys import ApiKeys
    from ringback.accounts.audit import Audit
    from ringback.accounts.carrier_numbers import SigningTokens
    from ringback.accounts.members import Members
    from ringback.accounts.number_shop import NumberShop
    from ringback.accounts.provisioning import Directories
    from ringback.accounts.purchases import Purchases
    from ringback.tracking.pool_admin import PoolAdmin
    from ringback.accounts.site_admin import SiteAdmin
    from ringback.accounts.site_settings import SiteSettings
    from ringback.tracking.rule_order import SiteRules

    audit = Audit(audit_log)
    settings = services.settings
    base_url = settings.public_base_url if settings is not None else "http://localhost"
    dirs = Directories(services.tenants, services.sites, services.pools)
    main_account = main_account or (settings.twilio_account_sid if settings is not None else None)
    purchases = (Purchases(services.tenants, number_carrier, quarantine, services.clock, main_account, base_url)
                 if number_carrier is not None and main_account and quarantine is not None else None)
    shop = NumberShop(dirs, services.leases, purchases, audit) if purchases is not None else None
    return with_callback_settings(replace(services, members=Members(services.tenants, invitations, audit,
                                                                users or Unconfigured("the dashboard's user pool")),
                   api_keys=ApiKeys(api_keys, audit), audit=audit,
                   site_admin=SiteAdmin(dirs, audit, base_url),
                   site_settings=SiteSettings(services.sites, services.pools, audit),
                   site_rules=SiteRules(services.sites, services.pools, services.routing, audit),
                   number_carrier=number_carrier, number_shop=shop, purchases=purchases,
                   number_quarantine=quarantine, pool_admin=PoolAdmin(dirs, purchases, audit),
                   signing_tokens=SigningTokens(number_carrier)), audit_log)


def with_callback_settings(services: Services, audit_log) -> Services:
    """Caller IDs verified at the carrier, in the tenant's subaccount as purchases open it
    (so after with_accounts), and the callback settings that may choose one."""
    from ringback.accounts.caller_ids import CallerIds
    from ringback.accounts.provisioning import Directories
    from ringback.callbacks.settings import CallbackSettings

    purchases = services.purchases
    caller_ids = (CallerIds(services.sites, services.number_carrier, services.audit, audit_log, purchases)
                  if purchases is not None else None)
    dirs = Directories(services.tenants, services.sites, services.pools)
    return replace(services, caller_ids=caller_ids,
                   callback_settings=CallbackSettings(dirs, services.audit,
                                                      caller_ids.is_verified if caller_ids else None))


def with_site_parts(services: Services, post, allow_local: bool = False, fetch_page=None, deliveries=None) -> Services:
    """A site's webhook endpoints and alert contacts, audited in the account services' log
    (so after with_accounts), and the install check. `post` sends a test delivery and
    `fetch_page` reads a customer's page (ringback.adapters.http_out); `allow_local`: the
    local stack's http://127.0.0.1 receivers and pages may be used. `deliveries`: the webhook
    delivery log (ringback.ports.DeliveryLog) test deliveries are kept in and the list reads."""
    from ringback.accounts.alert_contacts import AlertContacts
    from ringback.accounts.install_check import InstallCheck
    from ringback.accounts.provisioning import Directories
    from ringback.accounts.webhook_endpoints import WebhookEndpoints

    dirs = Directories(services.tenants, services.sites, services.pools)
    settings = services.settings
    base_url = settings.public_base_url if settings is not None else "http://localhost"
    return replace(services, webhooks=WebhookEndpoints(services.sites, services.audit, post, allow_local,
                                                       deliveries=deliveries),
                   alert_contacts=AlertContacts(dirs, services.audit),
                   install_check=InstallCheck(services.sites, fetch_page, base_url, services.rate_counter,
                                              allow_local) if fetch_page is not None else None)


def with_reports(services: Services, settings: Settings) -> Services:
    """Reports run on Athena when a workgroup is configured (AWS), else on DuckDB over the
    same Parquet files (the local stack's S3). Neither imports anything heavy before a
    report runs."""
    from ringback.adapters.parquet_s3 import ParquetEventFiles
    from ringback.analytics.ad_spend import AdSpend
    from ringback.analytics.reports import Reports

    if settings.athena_workgroup:
        from ringback.adapters.athena import AthenaRunner

        runner = AthenaRunner(settings.athena_workgroup, settings.analytics_database, settings.analytics_bucket,
                              settings.report_role_arn, settings.region)
    else:
        from ringback.adapters.duckdb_runner import DuckDbRunner

        runner = DuckDbRunner.on_s3(settings.analytics_bucket, settings.region, settings.aws_endpoint_url)
    files = ParquetEventFiles(settings.analytics_bucket, settings.region, settings.aws_endpoint_url)
    return replace(services, reports=Reports(runner, services.sites, services.clock),
                   ad_spend=AdSpend(files, services.clock))


class Unconfigured:
    """Stands in for an adapter of a resource this function is not given (infra/catalog.py
    declares what each one uses): using it says so, instead of failing on None."""

    def __init__(self, what: str) -> None:
        self._what = what

    def __getattr__(self, name: str):
        raise RuntimeError(f"this function is not configured with {self._what} (see infra/catalog.py)")


def _user_inviter(settings: Settings):
    if not settings.user_pool_id:
        return None
    from ringback.adapters.cognito_users import CognitoUserInviter

    return CognitoUserInviter(settings.user_pool_id, settings.region, settings.aws_endpoint_url)


def _idempotency_store(settings: Settings):
    import boto3
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    client = boto3.client("dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    return DynamoDBPersistenceLayer(table_name=settings.table_name("idempotency"), boto3_client=client)


def build_memory_services(clock: Clock, settings: Settings | None = None) -> Services:
    """The whole domain on in-memory fakes: for domain tests and trace replays."""
    from ringback.adapters import memory, memory_accounts, memory_deliveries

    leases, deliveries = memory.MemoryLeaseStore(), memory_deliveries.MemoryDeliveryLog()
    pools = memory.MemoryPools(leases)
    sites = memory.MemorySites()
    services = assemble(
        settings, clock, sites, memory.MemoryTenants(), pools, memory.MemoryCallLog(),
        memory.MemoryRouting(pools), memory.MemoryVisits(), leases, memory.MemoryRateCounter(),
        memory.MemoryNumbers(pools), memory.MemoryNotifier(), memory.MemoryRecordingStore(),
        memory.MemoryCarrierRecordings(), Events(memory.MemoryDeliveryQueue(), _refuse_network, clock, sites,
                                                 deliveries),
        memory.MemoryCallbacks(), memory.MemoryWorkflow(), memory.MemoryDialer(), memory.MemoryIdempotency(),
        changes=ChangeLog(memory.MemoryEventFiles()), messages=memory.MemoryMessages(),
    )
    from ringback.adapters.memory_numbers import MemoryNumberCarrier
    from ringback.adapters.memory_pools import MemoryQuarantine

    numbers = (MemoryNumberCarrier(settings.twilio_account_sid, settings.twilio_auth_token or "main-token")
               if settings is not None and settings.twilio_account_sid else MemoryNumberCarrier())
    services = with_accounts(services, memory_accounts.MemoryInvitations(), memory_accounts.MemoryApiKeys(),
                             memory_accounts.MemoryAuditLog(), numbers, numbers.main_sid,
                             quarantine=MemoryQuarantine(), users=memory_accounts.MemoryUserInviter())
    return with_site_parts(services, _refuse_network, fetch_page=memory.no_pages, deliveries=deliveries)


def _refuse_network(url: str, body: bytes, headers: dict) -> int:
    # In-memory services reach no network: a test that wants a receiver installs one.
    raise OSError(f"no network in memory services ({url})")


_installed: Services | None = None


def install(chosen: Services | None) -> None:
    """Serve the doors from these services instead of the environment's (tests, tools)."""
    global _installed
    _installed = chosen


def services() -> Services:
    return _installed or _from_environment()


@cache
def _from_environment() -> Services:
    return build_services(load_settings())
