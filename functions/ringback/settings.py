"""The one place that reads the environment.

Every deployable (the four functions, the local stack, the CLI) builds a Settings once,
at its composition root. A missing or malformed variable fails at start with a message
that names it, not later inside a request.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ringback.adapters.tables import table_specs


class SettingsError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    # None in AWS; the moto server's URL locally. boto3 and PynamoDB both follow it.
    aws_endpoint_url: str | None
    table_prefix: str
    # The public origin that serves /v1 and the frontend (CloudFront, or the local gateway).
    public_base_url: str
    # A function is given only the buckets it uses (infra/catalog.py); None: not this one's.
    recordings_bucket: str | None = None
    analytics_bucket: str | None = None
    frontend_bucket: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    # Set locally to the local carrier; None means Twilio's own API.
    twilio_api_base_url: str | None = None
    # The queue of outgoing call-event webhooks; None: no events are sent.
    events_queue_url: str | None = None
    # The callback dial workflow (Step Functions state machine); None: callbacks are
    # accepted and stored but not dialled (a stage without telephony).
    dial_workflow_arn: str | None = None
    # Real seconds per product second. 1 in production; the local stack's tests run the
    # product clock faster (and so every wait of the dial workflow shorter) through this.
    time_scale: float = 1.0
    # The epoch ms from which a scaled product clock runs, shared by every process of a
    # local stack so that they agree on the time; None: from each clock's making.
    time_origin_ms: int | None = None
    # Reports: the Glue database and Athena workgroup in AWS, and the role a report
    # query assumes with a session policy narrowed to the tenants it may read. Without a
    # workgroup (the local stack) reports run on DuckDB over the same Parquet files.
    analytics_database: str | None = None
    athena_workgroup: str | None = None
    report_role_arn: str | None = None
    # The Secrets Manager secret holding SECRET_KEYS; read by the composition root
    # (ringback.bootstrap) through a TTL cache (adapters/secrets.py), so a rotated value
    # is used without a restart; never put in the environment itself.
    secrets_arn: str | None = None
    # The dashboard's Cognito user pool and app client: the API's authorizer accepts ID
    # tokens this pool issued for this client.
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    # Keys the HMAC that stands in for a phone number in analytics, with the tenant id.
    analytics_key: str | None = field(default=None, repr=False)
    # Webhooks may go over http to loopback (the tests' receivers on 127.0.0.1). Only a
    # local stack sets it, and only beside a local AWS endpoint (load_settings refuses it
    # otherwise): in AWS the Lambda runtime's own API listens on loopback (ringback.url_guard).
    webhooks_allow_local: bool = False
    # The CloudFront distribution that caches the sites' public config: a function that
    # changes sites invalidates it there (ringback.accounts.edge_cache); None: no edge cache.
    distribution_id: str | None = None
    # Business metrics' CloudWatch namespace, and the function (or worker) they and its
    # traces name; infra/catalog.py sets both per function as Powertools' variables.
    metrics_namespace: str = "Ringback"
    service: str | None = None
    # Powertools Tracer (X-Ray) around each invocation; off where no X-Ray daemon listens
    # (the local stack and the tests set POWERTOOLS_TRACE_DISABLED).
    tracing: bool = True

    @property
    def token_issuer(self) -> str | None:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}" if self.user_pool_id else None

    @property
    def token_keys_url(self) -> str | None:
        """The pool's JWKS: under the issuer in AWS; under the endpoint where one is set
        (moto serves the same document under its own host)."""
        if not self.user_pool_id:
            return None
        if self.aws_endpoint_url:
            return f"{self.aws_endpoint_url.rstrip('/')}/{self.user_pool_id}/.well-known/jwks.json"
        return f"{self.token_issuer}/.well-known/jwks.json"

    def with_secrets(self, secrets: Mapping[str, str]) -> Settings:
        """These settings with the secret's values filled in where none is set."""
        from dataclasses import replace

        def filled(name: str, current: str | None) -> str | None:
            return current if current is not None else secrets.get(name) or None

        # SECRET_KEYS, one by one: replace() then checks each value against its field.
        return replace(self, twilio_account_sid=filled("twilio_account_sid", self.twilio_account_sid),
                       twilio_auth_token=filled("twilio_auth_token", self.twilio_auth_token),
                       analytics_key=filled("analytics_key", self.analytics_key))

    def table_name(self, logical: str) -> str:
        return f"{self.table_prefix}{logical}"

    def table_names(self) -> dict[str, str]:
        return {spec.logical_name: self.table_name(spec.logical_name) for spec in table_specs()}

    def as_environment(self) -> dict[str, str]:
        """The variables that rebuild these settings: how CDK and the local stack hand
        them to a function."""
        env = {
            "RINGBACK_STAGE": self.stage,
            "AWS_REGION": self.region,
            "RINGBACK_TABLE_PREFIX": self.table_prefix,
            "RINGBACK_PUBLIC_BASE_URL": self.public_base_url,
        }
        optional = {
            "RINGBACK_RECORDINGS_BUCKET": self.recordings_bucket,
            "RINGBACK_ANALYTICS_BUCKET": self.analytics_bucket,
            "RINGBACK_FRONTEND_BUCKET": self.frontend_bucket,
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
            "RINGBACK_TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "RINGBACK_TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "RINGBACK_TWILIO_API_BASE_URL": self.twilio_api_base_url,
            "RINGBACK_EVENTS_QUEUE_URL": self.events_queue_url,
            "RINGBACK_DIAL_WORKFLOW_ARN": self.dial_workflow_arn,
            "RINGBACK_TIME_SCALE": repr(self.time_scale) if self.time_scale != 1.0 else None,
            "RINGBACK_TIME_ORIGIN_MS": str(self.time_origin_ms) if self.time_origin_ms is not None else None,
            "RINGBACK_ANALYTICS_DATABASE": self.analytics_database,
            "RINGBACK_ATHENA_WORKGROUP": self.athena_workgroup,
            "RINGBACK_REPORT_ROLE_ARN": self.report_role_arn,
            "RINGBACK_SECRETS_ARN": self.secrets_arn,
            "RINGBACK_USER_POOL_ID": self.user_pool_id,
            "RINGBACK_USER_POOL_CLIENT_ID": self.user_pool_client_id,
            "RINGBACK_WEBHOOKS_ALLOW_LOCAL": "true" if self.webhooks_allow_local else None,
            "RINGBACK_DISTRIBUTION_ID": self.distribution_id,
        }
        env.update({k: v for k, v in optional.items() if v})
        return env


# What the secret at `secrets_arn` holds (a JSON object).
SECRET_KEYS = ("twilio_account_sid", "twilio_auth_token", "analytics_key")

_REQUIRED = (
    "RINGBACK_STAGE",
    "RINGBACK_TABLE_PREFIX",
    "RINGBACK_PUBLIC_BASE_URL",
)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    missing = [name for name in _REQUIRED if not env.get(name)]
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ""
    if not region:
        missing.append("AWS_REGION")
    if missing:
        raise SettingsError(f"missing environment variables: {', '.join(missing)}")
    public_base_url = env["RINGBACK_PUBLIC_BASE_URL"].rstrip("/")
    if not public_base_url.startswith(("https://", "http://")):
        raise SettingsError("RINGBACK_PUBLIC_BASE_URL must be an http(s) URL")
    return Settings(
        stage=env["RINGBACK_STAGE"],
        region=region,
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        table_prefix=env["RINGBACK_TABLE_PREFIX"],
        recordings_bucket=env.get("RINGBACK_RECORDINGS_BUCKET") or None,
        analytics_bucket=env.get("RINGBACK_ANALYTICS_BUCKET") or None,
        frontend_bucket=env.get("RINGBACK_FRONTEND_BUCKET") or None,
        public_base_url=public_base_url,
        twilio_account_sid=env.get("RINGBACK_TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("RINGBACK_TWILIO_AUTH_TOKEN") or None,
        twilio_api_base_url=env.get("RINGBACK_TWILIO_API_BASE_URL") or None,
        events_queue_url=env.get("RINGBACK_EVENTS_QUEUE_URL") or None,
        dial_workflow_arn=env.get("RINGBACK_DIAL_WORKFLOW_ARN") or None,
        time_scale=_time_scale(env.get("RINGBACK_TIME_SCALE")),
        time_origin_ms=_time_origin(env.get("RINGBACK_TIME_ORIGIN_MS")),
        analytics_database=env.get("RINGBACK_ANALYTICS_DATABASE") or None,
        athena_workgroup=env.get("RINGBACK_ATHENA_WORKGROUP") or None,
        report_role_arn=env.get("RINGBACK_REPORT_ROLE_ARN") or None,
        secrets_arn=env.get("RINGBACK_SECRETS_ARN") or None,
        user_pool_id=env.get("RINGBACK_USER_POOL_ID") or None,
        user_pool_client_id=env.get("RINGBACK_USER_POOL_CLIENT_ID") or None,
        webhooks_allow_local=_webhooks_allow_local(env),
        distribution_id=env.get("RINGBACK_DISTRIBUTION_ID") or None,
        metrics_namespace=env.get("POWERTOOLS_METRICS_NAMESPACE") or "Ringback",
        service=env.get("POWERTOOLS_SERVICE_NAME") or None,
        tracing=(env.get("POWERTOOLS_TRACE_DISABLED") or "").lower() not in ("true", "1"),
    )


def _time_scale(value: str | None) -> float:
    if not value:
        return 1.0
    try:
        scale = float(value)
    except ValueError:
        raise SettingsError("RINGBACK_TIME_SCALE must be a number") from None
    if not 0 < scale <= 1:
        raise SettingsError("RINGBACK_TIME_SCALE must be in (0, 1]")
    return scale


def _time_origin(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise SettingsError("RINGBACK_TIME_ORIGIN_MS must be epoch milliseconds") from None


def _webhooks_allow_local(env: Mapping[str, str]) -> bool:
    value = (env.get("RINGBACK_WEBHOOKS_ALLOW_LOCAL") or "").lower()
    if value not in ("", "true", "false"):
        raise SettingsError("RINGBACK_WEBHOOKS_ALLOW_LOCAL must be true or false")
    if value == "true" and not env.get("AWS_ENDPOINT_URL"):
        raise SettingsError("RINGBACK_WEBHOOKS_ALLOW_LOCAL is for a local stack only (it needs AWS_ENDPOINT_URL)")
    return value == "true"
