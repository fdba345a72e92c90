"""The functions' services in AWS (or on the local stack's endpoints): settings in,
DynamoDB, S3, SQS, Step Functions, API Gateway, Cognito and the carrier's adapters out,
each built once, here, in the function's init."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ringback.analytics.pipeline import ChangeLog
from ringback.bootstrap.assembly import assemble, with_accounts, with_reports, with_site_parts
from ringback.bootstrap.container import Services, Unconfigured
from ringback.calls.events import Events
from ringback.clock import Clock, ScaledClock, SystemClock
from ringback.settings import Settings

if TYPE_CHECKING:
    from ringback.adapters.secrets import CarrierCredentials


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    from ringback.adapters import dynamo, dynamo_accounts, dynamo_deliveries, dynamo_pools
    from ringback.adapters.carrier import TwilioCarrier
    from ringback.adapters.dynamo_leases import DynamoLeaseStore
    from ringback.adapters.dynamo_messages import DynamoMessages
    from ringback.adapters.emf_metrics import EmfMetrics
    from ringback.adapters.http_out import page_fetcher, poster
    from ringback.adapters.observability import tracer_for
    from ringback.adapters.parquet_erasure import ErasableParquetFiles
    from ringback.adapters.s3 import S3RecordingStore
    from ringback.adapters.sqs import SqsDeliveryQueue
    from ringback.adapters.stepfunctions import StepFunctionsWorkflow
    from ringback.adapters.tables import bind_tables
    from ringback.adapters.twilio_numbers import TwilioNumbers
    from ringback.adapters.usage_plans import ApiGatewayUsageMeter

    credentials, settings = _carrier_credentials(settings)
    # Built now, in the function's init, not on a visitor's first request.
    _ = bind_tables(settings.table_names(), settings.region, settings.aws_endpoint_url).client
    carrier = (
        TwilioCarrier(settings.twilio_account_sid, credentials, settings.twilio_api_base_url)
        if settings.twilio_account_sid and settings.twilio_auth_token
        else None
    )
    clock = clock or (SystemClock() if settings.time_scale == 1.0 else ScaledClock(settings.time_scale,
                                                                                       settings.time_origin_ms))
    sites = dynamo.DynamoSites()
    edge_cache = None
    if settings.distribution_id:
        from ringback.accounts.edge_cache import SitesSeenByEdge
        from ringback.adapters.cloudfront import CloudFrontEdgeCache

        edge_cache = CloudFrontEdgeCache(settings.distribution_id, region=settings.region,
                                         endpoint_url=settings.aws_endpoint_url)
        sites = SitesSeenByEdge(sites, edge_cache)
    metrics = EmfMetrics(settings.metrics_namespace, settings.stage, settings.service)
    events = (
        Events(SqsDeliveryQueue(settings.events_queue_url, region=settings.region,
                                endpoint_url=settings.aws_endpoint_url),
               poster(settings.webhooks_allow_local), clock, sites, dynamo_deliveries.DynamoDeliveryLog(),
               metrics=metrics)
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
        # Erasable: a caller's erasure removes rows from them (ringback.analytics.erasure).
        changes=ChangeLog(ErasableParquetFiles(settings.analytics_bucket, settings.region, settings.aws_endpoint_url),
                          settings.analytics_key) if settings.analytics_bucket else None,
        messages=DynamoMessages(),
        metrics=metrics,
    )
    services = replace(services, tracer=tracer_for(settings.service) if settings.tracing else None)
    numbers = (
        TwilioNumbers(settings.twilio_account_sid, credentials, settings.twilio_api_base_url)
        if settings.twilio_account_sid and settings.twilio_auth_token
        else None
    )
    services = replace(services, carrier_credentials=credentials if numbers is not None else None)
    services = with_accounts(services, dynamo_accounts.DynamoInvitations(), dynamo_accounts.DynamoApiKeys(),
                             dynamo_accounts.DynamoAuditLog(), numbers, quarantine=dynamo_pools.DynamoQuarantine(),
                             users=_user_inviter(settings),
                             usage=ApiGatewayUsageMeter(settings.stage, settings.region, settings.aws_endpoint_url))
    # A test delivery answers within the API's request, so it waits less than the queue's deliveries.
    services = with_site_parts(services, poster(settings.webhooks_allow_local, timeout=5),
                               settings.webhooks_allow_local, fetch_page=page_fetcher(settings.webhooks_allow_local),
                               deliveries=dynamo_deliveries.DynamoDeliveryLog())
    services = replace(services, edge_cache=edge_cache)
    return with_reports(services, settings) if settings.analytics_bucket else services


def _carrier_credentials(settings: Settings) -> tuple[CarrierCredentials | None, Settings]:
    """The carrier's credentials, and the settings with the application secret's values
    filled in. The secret is read now (a malformed one fails the cold start), then kept
    behind a TTL: a token rotated in Secrets Manager reaches the REST clients and the
    webhook check without a restart. A token set in the settings themselves (tests,
    tools) is fixed."""
    from ringback.adapters.secrets import AppSecret, CarrierCredentials

    secret = None
    if settings.secrets_arn:
        secret = AppSecret(settings.secrets_arn, settings.region, settings.aws_endpoint_url)
        fixed_token = settings.twilio_auth_token
        settings = settings.with_secrets(secret.values())
        if fixed_token:
            secret = None
    if not settings.twilio_account_sid:
        return None, settings
    return CarrierCredentials(settings.twilio_account_sid, settings.twilio_auth_token, secret), settings


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
