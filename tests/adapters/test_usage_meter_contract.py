"""The UsageMeter port (a tenant API key's meter in the API's usage plan), as the fake and as
API Gateway on the moto server: one contract for both."""
import uuid

import pytest

from devstack import aws
from ringback.adapters.memory_usage import MemoryUsageMeter
from ringback.adapters.usage_plans import (
    API_KEYS,
    ApiGatewayUsageMeter,
    usage_plan_name,
)
from ringback.errors import Unavailable


class _Gateway:
    """What the meter's effects look like from API Gateway's side (or the fake's)."""

    def __init__(self, meter, apigateway=None, plan_id=None) -> None:
        self.meter, self._apigateway, self._plan = meter, apigateway, plan_id

    def metered(self) -> set[str]:
        """The identifiers of the keys in the API keys plan."""
        if self._apigateway is None:
            return {self.meter.identifier(key) for key in self.meter.metered}
        items = self._apigateway.get_usage_plan_keys(usagePlanId=self._plan, limit=500)["items"]
        return {item["value"] for item in items}


@pytest.fixture(params=["memory", "apigateway"])
def gateway(request):
    stage = f"t{uuid.uuid4().hex[:6]}"
    if request.param == "memory":
        return _Gateway(MemoryUsageMeter(stage))
    settings = request.getfixturevalue("local_aws")
    apigateway = aws.client("apigateway", settings)
    plan = apigateway.create_usage_plan(name=usage_plan_name(stage, API_KEYS),
                                        throttle={"rateLimit": 10.0, "burstLimit": 20})["id"]
    return _Gateway(ApiGatewayUsageMeter(stage, settings.region, settings.aws_endpoint_url), apigateway, plan)


def test_an_enrolled_key_is_metered_under_the_identifier_the_authorizer_names(gateway):
    key = "k" + uuid.uuid4().hex[:16]
    gateway.meter.enroll(key)
    assert gateway.meter.identifier(key) in gateway.metered()
    # Signed-in users have an identifier of their own, never a key's.
    assert gateway.meter.identifier(None) != gateway.meter.identifier(key)
    assert len(gateway.meter.identifier(key)) >= 20  # API Gateway's minimum for a key's value


def test_a_withdrawn_key_is_metered_no_more_and_withdrawing_again_is_harmless(gateway):
    kept, gone = "k" + uuid.uuid4().hex[:16], "k" + uuid.uuid4().hex[:16]
    gateway.meter.enroll(kept)
    gateway.meter.enroll(gone)
    gateway.meter.withdraw(gone)
    gateway.meter.withdraw(gone)
    gateway.meter.withdraw("k" + uuid.uuid4().hex[:16])  # never enrolled
    assert gateway.metered() == {gateway.meter.identifier(kept)}


def test_without_its_usage_plan_a_key_cannot_be_enrolled(local_aws):
    meter = ApiGatewayUsageMeter(f"none{uuid.uuid4().hex[:6]}", local_aws.region, local_aws.aws_endpoint_url)
    with pytest.raises(Unavailable) as refused:
        meter.enroll("k" + uuid.uuid4().hex[:16])
    assert refused.value.code == "usage_plan_unavailable"
