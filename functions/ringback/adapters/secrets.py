"""The application's secret (Secrets Manager): a JSON object of ringback.settings.SECRET_KEYS."""
from __future__ import annotations

import json

import boto3


def read_secret(secret_arn: str, region: str, endpoint_url: str | None = None) -> dict[str, str]:
    """Read once per cold start by the composition root. A secret that is not a JSON
    object fails here, at start, rather than as a refused webhook later."""
    client = boto3.client("secretsmanager", region_name=region, endpoint_url=endpoint_url)
    value = json.loads(client.get_secret_value(SecretId=secret_arn)["SecretString"])
    if not isinstance(value, dict):
        raise ValueError("the application secret must be a JSON object")
    return {k: str(v) for k, v in value.items() if isinstance(v, (str, int))}
