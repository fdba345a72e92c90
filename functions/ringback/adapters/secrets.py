"""The application's secret (Secrets Manager): a JSON object of ringback.settings.SECRET_KEYS.

Read through Powertools Parameters (SecretsProvider) with a TTL: a value rotated in
Secrets Manager reaches a running container within MAX_AGE_SECONDS, and sooner where a
caller notices that its copy is stale and asks again (`AppSecret.refresh`: a carrier
signature that does not match, a 401 from the carrier's API). No container restart is
needed, and no secret value is ever put in a function's environment.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import boto3

# How long a read value is trusted before Secrets Manager is asked again. Short enough
# that a rotation is picked up within minutes even where nothing fails; long enough that
# a busy container asks about once per 5 minutes (GetSecretValue is billed per call).
MAX_AGE_SECONDS = 300
# A refresh forced by a failure is done at most this often: a stream of forged webhook
# signatures must not turn into a stream of Secrets Manager calls.
MIN_REFRESH_SECONDS = 5.0


class AppSecret:
    """The secret's values, cached for `max_age` seconds (Powertools' own cache)."""

    def __init__(self, secret_arn: str, region: str, endpoint_url: str | None = None, *,
                 max_age: int = MAX_AGE_SECONDS, client=None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        self._arn, self._max_age, self._monotonic = secret_arn, max_age, monotonic
        self._provider = SecretsProvider(boto3_client=client or boto3.client(
            "secretsmanager", region_name=region, endpoint_url=endpoint_url))
        self._last_forced: float | None = None
        self._seen: dict[str, str] | None = None  # what the last read answered

    def values(self, force: bool = False) -> dict[str, str]:
        """The secret as it is now (at most max_age old). A secret that is not a JSON
        object fails here, at start, rather than as a refused webhook later."""
        value = self._provider.get(self._arn, max_age=self._max_age, transform="json", force_fetch=force)
        if not isinstance(value, dict):
            raise TypeError("the application secret must be a JSON object")
        self._seen = {k: str(v) for k, v in value.items() if isinstance(v, (str, int))}
        return self._seen

    def get(self, key: str) -> str | None:
        return self.values().get(key) or None

    def refresh(self) -> bool:
        """Read the secret again now, whatever the cache says; True when anything in it
        changed. At most once per MIN_REFRESH_SECONDS: a refusal within that time keeps
        the value read moments ago."""
        now = self._monotonic()
        if self._last_forced is not None and now - self._last_forced < MIN_REFRESH_SECONDS:
            return False
        self._last_forced = now
        before = self._seen
        return self.values(force=True) != before


def read_secret(secret_arn: str, region: str, endpoint_url: str | None = None) -> dict[str, str]:
    """The secret once, uncached (tools; the functions use AppSecret)."""
    return AppSecret(secret_arn, region, endpoint_url, max_age=0).values(force=True)


class CarrierCredentials:
    """Our main carrier account's SID and its current auth token: from the application
    secret through its TTL (a rotated token reaches the REST client and the webhook check
    without a restart), or fixed when the function is given no secret (tests, tools)."""

    def __init__(self, account_sid: str, auth_token: str | None = None, secret: AppSecret | None = None) -> None:
        self.account_sid, self._fixed, self._secret = account_sid, auth_token, secret

    @property
    def auth_token(self) -> str | None:
        if self._secret is not None:
            return self._secret.get("twilio_auth_token") or self._fixed
        return self._fixed

    def refresh(self) -> bool:
        """Ask for the token again now; True when it changed (a rotation happened)."""
        if self._secret is None:
            return False
        before = self.auth_token
        self._secret.refresh()
        return self.auth_token != before
