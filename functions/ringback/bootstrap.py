"""The composition root: settings in, adapters built once, on first use.

Nothing heavy happens at import, so a cold start and test collection stay fast. Tests
build their own Services (with fakes or another endpoint) instead of patching this.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

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
from ringback.tracking.sessions import Tracking

if TYPE_CHECKING:
    from ringback.accounts.api_keys import ApiKeys
    from ringback.accounts.audit import Audit
    from ringback.accounts.carrier_numbers import SigningTokens
    from ringback.accounts.members import Members
    from ringback.accounts.number_shop import NumberShop
    from ringback.accounts.site_admin import SiteAdmin
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
    # Members, invitations, API keys and the audit log (the management API, the authorizer).
    members: "Members | None" = None
    api_keys: "ApiKeys | None" = None
    audit: "Audit | None" = None
    site_admin: "SiteAdmin | None" = None
    # The carrier's numbers and subaccounts (the management API buys and releases
    # numbers; the dialer asks it for a subaccount's webhook token), and that check.
    number_carrier: "NumberCarrier | None" = None
    number_shop: "NumberShop | None" = None
    signing_tokens: "SigningTokens | None" = None

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
    alerts = Alerts(pools, notifier, messages, calls, callback_store, clock, base_url)
    inbound = InboundCalls(numbers, sites, routing, leases, visits, calls, clock, alerts, events)
    recordings = Recordings(calls, recording_store, carrier_recordings,
                            on_archived=lambda call_id: inbound.publish("call.recording", call_id))
    callbacks = Callbacks(
        CachedSites(sites, clock), CachedTenants(tenants, clock), visits, calls, callback_store, workflow, dialer,
        rate_counter, alerts, events, recording_store, carrier_recordings, clock, base_url, pools,
    )
    return Services(settings, clock, sites, tenants, pools, calls, routing, visits, leases, tracking, inbound,
                    notifier, recordings, events, callbacks, idempotency, changes, alerts=alerts)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    from ringback.adapters import dynamo, dynamo_accounts
    from ringback.adapters.carrier import TwilioCarrier
    from ringback.adapters.dynamo_leases import DynamoLeaseStore
    from ringback.adapters.dynamo_messages import DynamoMessages
    from ringback.adapters.http_out import post_json
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
    events = (
        Events(SqsDeliveryQueue(settings.events_queue_url, region=settings.region,
                                endpoint_url=settings.aws_endpoint_url), post_json, clock)
        if settings.events_queue_url
        else None
    )
    services = assemble(
        settings,
        clock,
        dynamo.DynamoSites(),
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
                             dynamo_accounts.DynamoAuditLog(), numbers)
    return with_reports(services, settings) if settings.analytics_bucket else services


def with_accounts(services: Services, invitations, api_keys, audit_log,
                  number_carrier: NumberCarrier | None = None, main_account: str | None = None) -> Services:
    """The account services over the given stores. Only the functions granted their tables
    (infra/catalog.py) use them; the others never touch them, so building them is free.
    With a carrier (the functions given its secret), numbers are bought through it and
    webhooks checked with the token of the account they name."""
    from ringback.accounts.api_keys import ApiKeys
    from ringback.accounts.audit import Audit
    from ringback.accounts.carrier_numbers import SigningTokens
    from ringback.accounts.members import Members
    from ringback.accounts.number_shop import NumberShop
    from ringback.accounts.provisioning import Directories
    from ringback.accounts.site_admin import SiteAdmin

    audit = Audit(audit_log)
    settings = services.settings
    base_url = settings.public_base_url if settings is not None else "http://localhost"
    dirs = Directories(services.tenants, services.sites, services.pools)
    main_account = main_account or (settings.twilio_account_sid if settings is not None else None)
    shop = (NumberShop(dirs, services.leases, number_carrier, audit, main_account, base_url)
            if number_carrier is not None and main_account else None)
    return replace(services, members=Members(services.tenants, invitations, audit),
                   api_keys=ApiKeys(api_keys, audit), audit=audit,
                   site_admin=SiteAdmin(dirs, audit, base_url),
                   number_carrier=number_carrier, number_shop=shop,
                   signing_tokens=SigningTokens(number_carrier))


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


def _idempotency_store(settings: Settings):
    import boto3
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    client = boto3.client("dynamodb", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
    return DynamoDBPersistenceLayer(table_name=settings.table_name("idempotency"), boto3_client=client)


def build_memory_services(clock: Clock, settings: Settings | None = None) -> Services:
    """The whole domain on in-memory fakes: for domain tests and trace replays."""
    from ringback.adapters import memory, memory_accounts

    leases = memory.MemoryLeaseStore()
    pools = memory.MemoryPools(leases)
    services = assemble(
        settings, clock, memory.MemorySites(), memory.MemoryTenants(), pools, memory.MemoryCallLog(),
        memory.MemoryRouting(pools), memory.MemoryVisits(), leases, memory.MemoryRateCounter(),
        memory.MemoryNumbers(pools), memory.MemoryNotifier(), memory.MemoryRecordingStore(),
        memory.MemoryCarrierRecordings(), Events(memory.MemoryDeliveryQueue(), _refuse_network, clock),
        memory.MemoryCallbacks(), memory.MemoryWorkflow(), memory.MemoryDialer(), memory.MemoryIdempotency(),
        changes=ChangeLog(memory.MemoryEventFiles()), messages=memory.MemoryMessages(),
    )
    from ringback.adapters.memory_numbers import MemoryNumberCarrier

    numbers = (MemoryNumberCarrier(settings.twilio_account_sid, settings.twilio_auth_token or "main-token")
               if settings is not None and settings.twilio_account_sid else MemoryNumberCarrier())
    return with_accounts(services, memory_accounts.MemoryInvitations(), memory_accounts.MemoryApiKeys(),
                         memory_accounts.MemoryAuditLog(), numbers, numbers.main_sid)


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
