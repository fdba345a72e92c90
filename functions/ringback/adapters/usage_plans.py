"""API Gateway usage plans as the UsageMeter port: one API Gateway API key per tenant API
key, in the stage's "api-keys" usage plan (its own rate, burst and daily quota), and one
shared key in the "dashboard" plan for signed-in users.

The REST API reads the key from the authorizer (apiKeySource AUTHORIZER, infra/constructs/
api.py): the authorizer answers `usageIdentifierKey`, and API Gateway never reads a key from
the request. So a key's value is an identifier, not a credential, and it is derived from
the stage and our key id: the authorizer names it without reading anything, and the CDK
app creates the dashboard's under the same name. Our own key (rbk_...) stays the only
credential.

The pool function creates and deletes these keys (infra/catalog.py: usage_plan); it finds
the plan by its name, since the plan's id cannot reach the function's environment (the
plan depends on the stage, the stage on the methods, the methods on the function).

Enrolling is idempotent and repairs a half-done enrolment (an API key made whose plan key
was not: a crash between the two calls, or a deploy rolled back with its plan): it reuses
the API key found under the name, then adds it to the plan unless it is there. The
deploy's enrolment of keys made before usage plans existed (ringback.accounts.api_keys,
`enrol_existing_keys`) relies on it, and reads which keys the plan meters
(`metered_keys`) once instead of asking per key.
"""
from __future__ import annotations

import logging

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ringback.errors import Unavailable

log = logging.getLogger(__name__)

API_KEYS, DASHBOARD = "api-keys", "dashboard"


def usage_plan_name(stage: str, audience: str) -> str:
    return f"ringback-{stage}-{audience}"


def usage_key_value(stage: str, key_id: str | None) -> str:
    """The API Gateway API key (name and value) that meters one of our keys, or the
    dashboard's users (None). At least 20 characters, as API Gateway requires."""
    return _key_prefix(stage) + key_id if key_id else f"ringback-{stage}-dashboard-users"


def _key_prefix(stage: str) -> str:
    return f"ringback-{stage}-key-"


class ApiGatewayUsageMeter:
    def __init__(self, stage: str, region: str | None = None, endpoint_url: str | None = None, client=None,
                 *, patient: bool = False) -> None:
        """`patient`: retry API Gateway's throttling with client-side rate limiting, for a
        run over every key (its management API allows a few calls a second per account);
        a request a person waits on fails sooner instead."""
        self._stage, self._region, self._endpoint_url = stage, region, endpoint_url
        self._client = client
        self._patient = patient
        self._plan_id: str | None = None

    def identifier(self, key_id: str | None) -> str:
        return usage_key_value(self._stage, key_id)

    def enroll(self, key_id: str) -> None:
        name = self.identifier(key_id)
        made = None
        try:
            plan = self._api_keys_plan()
            api_key_id = self._api_key_named(name)
            if api_key_id is None:
                made = api_key_id = self._apigateway().create_api_key(
                    name=name, value=name, enabled=True,
                    description="Ringback: meters one tenant API key (its usage plan limits it)")["id"]
            try:
                self._apigateway().create_usage_plan_key(usagePlanId=plan, keyId=api_key_id, keyType="API_KEY")
            except ClientError as error:
                if _code(error) != "ConflictException":  # in the plan already: enrolled
                    raise
        except (ClientError, BotoCoreError) as error:
            if made is not None:
                self._forget_unplanned(made)
            log.warning("enrolling an API key in the usage plan failed: %s", error)
            raise Unavailable("API keys cannot be created right now; try again shortly",
                              code="usage_plan_unavailable") from None

    def metered_keys(self) -> set[str]:
        """Our key ids that hold a key in the API keys plan, read in pages."""
        prefix = _key_prefix(self._stage)
        metered, position = set(), None
        try:
            plan = self._api_keys_plan()
            while True:
                page = self._apigateway().get_usage_plan_keys(
                    usagePlanId=plan, limit=500, **({"position": position} if position else {}))
                metered |= {item["name"][len(prefix):] for item in page.get("items", [])
                            if str(item.get("name", "")).startswith(prefix)}
                position = page.get("position")
                if not position:
                    return metered
        except (ClientError, BotoCoreError) as error:
            log.warning("reading the API keys plan failed: %s", error)
            raise Unavailable("the API keys' usage plan cannot be read right now",
                              code="usage_plan_unavailable") from None

    def _api_key_named(self, name: str) -> str | None:
        # nameQuery matches a prefix: "...key-k1" would find "...key-k10" too.
        position = None
        while True:
            page = self._apigateway().get_api_keys(nameQuery=name, limit=500,
                                                   **({"position": position} if position else {}))
            found = next((item["id"] for item in page.get("items", []) if item.get("name") == name), None)
            position = page.get("position")
            if found or not position:
                return found

    def _forget_unplanned(self, api_key_id: str) -> None:
        # A key we made that could not join the plan is deleted, so nothing unmetered
        # lingers; should that fail too, the next enrolment finds it by name and reuses it.
        try:
            self._apigateway().delete_api_key(apiKey=api_key_id)
        except (ClientError, BotoCoreError) as error:
            log.warning("deleting an API key left out of its plan failed: %s", error)

    def withdraw(self, key_id: str) -> None:
        name = self.identifier(key_id)
        try:
            found = self._apigateway().get_api_keys(nameQuery=name, limit=10).get("items", [])
            for item in found:
                if item.get("name") == name:
                    # Out of the plan first, then gone: API Gateway drops a deleted key from
                    # its plans itself, but a plan key left behind would count against the
                    # plan's limit of keys should it not.
                    self._delete_plan_key(item["id"])
                    self._apigateway().delete_api_key(apiKey=item["id"])
        except (ClientError, BotoCoreError) as error:
            # The key is revoked already (the authorizer refuses it); its meter is left over.
            log.warning("removing a revoked key's usage key failed: %s", error)

    def _delete_plan_key(self, api_key_id: str) -> None:
        try:
            self._apigateway().delete_usage_plan_key(usagePlanId=self._api_keys_plan(), keyId=api_key_id)
        except ClientError as error:
            if _code(error) != "NotFoundException":
                raise

    def _api_keys_plan(self) -> str:
        if self._plan_id is None:
            wanted = usage_plan_name(self._stage, API_KEYS)
            position = None
            while self._plan_id is None:
                page = self._apigateway().get_usage_plans(limit=500, **({"position": position} if position else {}))
                self._plan_id = next((p["id"] for p in page.get("items", []) if p.get("name") == wanted), None)
                position = page.get("position")
                if self._plan_id is None and not position:
                    raise Unavailable(f"no usage plan named {wanted}", code="usage_plan_unavailable")
        return self._plan_id

    def _apigateway(self):
        # Made on first use: the authorizer worker, built from the same settings, only
        # names identifiers and never calls API Gateway.
        if self._client is None:
            config = Config(retries={"mode": "adaptive", "max_attempts": 10}) if self._patient else None
            self._client = boto3.client("apigateway", region_name=self._region, endpoint_url=self._endpoint_url,
                                        config=config)
        return self._client


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
