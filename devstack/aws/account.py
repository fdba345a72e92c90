"""The local AWS account: the credentials moto accepts, its region and id, the settings
that point the functions at it, and a client for it."""
from __future__ import annotations

import boto3

from ringback.settings import Settings

# moto accepts any credentials; these keep boto3 from looking for real ones.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}
REGION = "us-east-1"
# moto's default account: ARNs the local stack writes must name it to resolve.
ACCOUNT_ID = "123456789012"

# The local carrier's account: fixed, so tools and a restarted stack agree on it.
CARRIER_ACCOUNT_SID = "AC" + "10ca1" * 6 + "00"
CARRIER_AUTH_TOKEN = "local-carrier-auth-token"


def local_settings(moto_url: str, public_base_url: str, stage: str = "local",
                   carrier_url: str | None = None) -> Settings:
    return Settings(
        stage=stage,
        region=REGION,
        aws_endpoint_url=moto_url,
        table_prefix=f"ringback-{stage}-",
        recordings_bucket=f"ringback-{stage}-recordings",
        analytics_bucket=f"ringback-{stage}-analytics",
        frontend_bucket=f"ringback-{stage}-frontend",
        public_base_url=public_base_url,
        twilio_account_sid=CARRIER_ACCOUNT_SID if carrier_url else None,
        twilio_auth_token=CARRIER_AUTH_TOKEN if carrier_url else None,
        twilio_api_base_url=carrier_url,
        # Webhook receivers of a local stack (tests, a developer's) listen on 127.0.0.1.
        webhooks_allow_local=True,
    )


def client(service: str, settings: Settings):
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=LOCAL_CREDENTIALS["AWS_SESSION_TOKEN"],
    )
