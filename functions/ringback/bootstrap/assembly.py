"""The domain wired over whichever adapters it is given: the same wiring for the deployed
functions (ringback.bootstrap.deployed) and the in-memory services
(ringback.bootstrap.in_memory), so the two cannot differ in anything but the adapters."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ringback.accounts.numbers import CarrierAccounts
from ringback.bootstrap.container import Services, Unconfigured
from ringback.callbacks.service import Callbacks
from ringback.calls.alerts import Alerts
from ringback.calls.inbound import InboundCalls
from ringback.calls.recordings import Recordings
from ringback.calls.retention import RecordingRetention
from ringback.calls.texts import InboundTexts
from ringback.metrics import CountedMetrics, PublishedMetrics
from ringback.ports import NumberCarrier, NumberQuarantine
from ringback.settings import Settings
from ringback.tracking.sessions import Tracking

if TYPE_CHECKING:
    from ringback.calls.erasure import CallerErasure
    from ringback.ports import UsageMeter, UserInviter


def assemble(settings, clock, sites, tenants, pools, calls, routing, visits, leases, rate_counter, numbers,
             notifier, recording_store, carrier_recordings, events=None, callback_store=None, workflow=None,
             dialer=None, idempotency=None, changes=None, *, messages,
             metrics: PublishedMetrics | None = None) -> Services:
    from ringback.adapters.cache import CachedRouting, CachedSites, CachedTenants

    metrics = metrics if metrics is not None else CountedMetrics()
    # The public path reads site, tenant and routes on every session start: cached. The
    # dashboard reads them uncached, so a change shows at once there.
    tracking = Tracking(
        CachedSites(sites, clock), CachedTenants(tenants, clock), CachedRouting(routing, clock), visits, leases, clock,
        rate_counter=rate_counter, metrics=metrics,
    )
    base_url = settings.public_base_url if settings is not None else "http://localhost"
    # Each call, text and recording request goes to the tenant's own carrier account.
    accounts = CarrierAccounts(tenants)
    alerts = Alerts(pools, notifier, messages, calls, callback_store, clock, base_url, carrier_accounts=accounts,
                    metrics=metrics)
    inbound = InboundCalls(numbers, sites, routing, leases, visits, calls, clock, alerts, events, metrics=metrics,
                           tenants=CachedTenants(tenants, clock))
    recordings = Recordings(calls, recording_store, carrier_recordings,
                            on_archived=lambda call_id: inbound.publish("call.recording", call_id),
                            carrier_accounts=accounts, retention=RecordingRetention(tenants))
    callbacks = Callbacks(
        CachedSites(sites, clock), CachedTenants(tenants, clock), visits, calls, callback_store, workflow, dialer,
        rate_counter, alerts, events, recording_store, carrier_recordings, clock, base_url, pools,
        carrier_accounts=accounts, metrics=metrics,
    )
    return Services(settings, clock, sites, tenants, pools, calls, routing, visits, leases, tracking, inbound,
                    notifier, recordings, events, callbacks, idempotency, changes, alerts=alerts,
                    texts=InboundTexts(numbers, sites, inbound, alerts, messages), rate_counter=rate_counter,
                    metrics=metrics)



def with_accounts(services: Services, invitations, api_keys, audit_log,
                  number_carrier: NumberCarrier | None = None, main_account: str | None = None,
                  quarantine: NumberQuarantine | None = None, users: UserInviter | None = None,
                  usage: UsageMeter | None = None) -> Services:
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
    from ringback.accounts.site_admin import SiteAdmin
    from ringback.accounts.site_settings import SiteSettings
    from ringback.tracking.pool_admin import PoolAdmin
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
                   api_keys=ApiKeys(api_keys, audit, usage or Unconfigured("the gateway's usage plans")), audit=audit,
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
                   ad_spend=AdSpend(files, services.clock), erasure=_caller_erasure(services, settings))


def _caller_erasure(services: Services, settings: Settings) -> CallerErasure | None:
    """A caller's erasure, where both buckets are given (the reports function)."""
    if not (settings.recordings_bucket and settings.analytics_bucket):
        return None
    from ringback.adapters.dynamo_erasure import DynamoCallerRecords
    from ringback.adapters.parquet_erasure import ErasableParquetFiles
    from ringback.adapters.s3 import S3RecordingStore
    from ringback.analytics.erasure import CallerRows
    from ringback.calls.erasure import CallerErasure

    rows = CallerRows(ErasableParquetFiles(settings.analytics_bucket, settings.region, settings.aws_endpoint_url),
                      settings.analytics_key)
    recordings = S3RecordingStore(settings.recordings_bucket, region=settings.region,
                                  endpoint_url=settings.aws_endpoint_url)
    return CallerErasure(DynamoCallerRecords(), recordings, rows, services.sites, services.audit, services.clock)

