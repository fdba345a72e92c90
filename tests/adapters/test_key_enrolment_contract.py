"""The deploy's enrolment of keys made before usage plans, on its adapters: every key paged
out of the table (DynamoKeyPages, the fake as the contract's other side), the plan's
members read back and a half-made meter repaired (ApiGatewayUsageMeter on the moto
server), and a whole run over both, twice."""
import uuid

import pytest

from devstack import aws
from ringback.accounts.api_keys import ApiKey, enrol_existing_keys
from ringback.adapters.memory_key_pages import MemoryKeyPages
from ringback.adapters.memory_usage import MemoryUsageMeter
from ringback.adapters.usage_plans import API_KEYS, ApiGatewayUsageMeter, usage_plan_name

NOW = 1_795_000_000_000


def new_key(tenant: str, revoked: bool = False) -> ApiKey:
    return ApiKey("k" + uuid.uuid4().hex[:16], tenant, "CRM sync", "read", "0" * 64, "sub-ann", NOW,
                  revoked_at=NOW + 1 if revoked else None)


@pytest.fixture(params=["memory", "dynamodb"])
def inventory(request):
    if request.param == "memory":
        return MemoryKeyPages()
    request.getfixturevalue("local_aws")
    from ringback.adapters.dynamo_key_pages import DynamoKeyPages

    return DynamoKeyPages()


def test_paging_reads_every_key_once_revoked_ones_too(inventory):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    mine = [new_key(tenant) for _ in range(5)] + [new_key(tenant, revoked=True)]
    for k in mine:
        inventory.save(k)
    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = inventory.page(cursor, 2)
        assert len(page) <= 2
        seen += page
        pages += 1
        if cursor is None:
            break
    ours = [k for k in seen if k.tenant_id == tenant]
    assert sorted(k.key_id for k in ours) == sorted(k.key_id for k in mine)
    assert len({k.key_id for k in seen}) == len(seen)  # nothing twice
    assert {k.key_id: k for k in ours}[mine[-1].key_id].revoked_at == NOW + 1
    assert pages >= 3


class _Plan:
    def __init__(self, meter, apigateway=None, plan_id=None) -> None:
        self.meter, self.apigateway, self.plan_id = meter, apigateway, plan_id

    def members(self) -> list[str]:
        """The names of the plan's keys (each name once per key in the plan)."""
        if self.apigateway is None:
            return sorted(self.meter.identifier(k) for k in self.meter.metered)
        items = self.apigateway.get_usage_plan_keys(usagePlanId=self.plan_id, limit=500)["items"]
        return sorted(item["name"] for item in items)


def _gateway_plan(settings):
    stage = f"t{uuid.uuid4().hex[:6]}"
    apigateway = aws.client("apigateway", settings)
    plan = apigateway.create_usage_plan(name=usage_plan_name(stage, API_KEYS))["id"]
    return stage, apigateway, plan


@pytest.fixture(params=["memory", "apigateway"])
def plan(request):
    if request.param == "memory":
        return _Plan(MemoryUsageMeter(f"t{uuid.uuid4().hex[:6]}"))
    settings = request.getfixturevalue("local_aws")
    stage, apigateway, plan_id = _gateway_plan(settings)
    return _Plan(ApiGatewayUsageMeter(stage, settings.region, settings.aws_endpoint_url, patient=True),
                 apigateway, plan_id)


def test_the_plans_members_are_read_back_as_our_key_ids(plan):
    kept, gone = "k" + uuid.uuid4().hex[:16], "k" + uuid.uuid4().hex[:16]
    assert plan.meter.metered_keys() == set()
    plan.meter.enroll(kept)
    plan.meter.enroll(gone)
    plan.meter.withdraw(gone)
    assert plan.meter.metered_keys() == {kept}


def test_enrolling_twice_meters_a_key_once(plan):
    key_id = "k" + uuid.uuid4().hex[:16]
    plan.meter.enroll(key_id)
    plan.meter.enroll(key_id)
    assert plan.members() == [plan.meter.identifier(key_id)]


def test_a_meter_made_but_never_added_to_the_plan_is_reused(local_aws):
    # A crash between the two calls, or a deploy rolled back with its plan, leaves an API
    # key outside any plan; its value is taken, so a new one could not be made.
    stage, apigateway, plan_id = _gateway_plan(local_aws)
    meter = ApiGatewayUsageMeter(stage, local_aws.region, local_aws.aws_endpoint_url)
    key_id = "k" + uuid.uuid4().hex[:16]
    name = meter.identifier(key_id)
    orphan = apigateway.create_api_key(name=name, value=name, enabled=True)["id"]
    meter.enroll(key_id)
    [member] = apigateway.get_usage_plan_keys(usagePlanId=plan_id)["items"]
    assert member["id"] == orphan and meter.metered_keys() == {key_id}
    assert [k["id"] for k in apigateway.get_api_keys(nameQuery=name)["items"] if k["name"] == name] == [orphan]


def test_a_run_meters_the_old_keys_on_dynamodb_and_api_gateway_and_a_rerun_changes_nothing(local_aws):
    from ringback.adapters.dynamo_key_pages import DynamoKeyPages

    stage, apigateway, plan_id = _gateway_plan(local_aws)
    meter = ApiGatewayUsageMeter(stage, local_aws.region, local_aws.aws_endpoint_url, patient=True)
    store, tenant = DynamoKeyPages(), f"t-{uuid.uuid4().hex[:8]}"
    old = [new_key(tenant) for _ in range(4)]
    revoked, current = new_key(tenant, revoked=True), new_key(tenant)
    for k in [*old, revoked, current]:
        store.save(k)
    meter.enroll(current.key_id)  # made after usage plans

    first = enrol_existing_keys(store, meter, page_size=2)
    assert first.done
    assert {k.key_id for k in old} <= set(first.enrolled)
    assert revoked.key_id not in first.enrolled and current.key_id not in first.enrolled
    metered = meter.metered_keys()
    assert {k.key_id for k in [*old, current]} <= metered and revoked.key_id not in metered

    again = enrol_existing_keys(store, meter, page_size=2)
    assert again.done and again.enrolled == [] and again.metered_already >= 5
    names = [i["name"] for i in apigateway.get_usage_plan_keys(usagePlanId=plan_id, limit=500)["items"]]
    assert len(names) == len(set(names))  # no key twice in the plan
