"""Keys made before usage plans get their meter on deploy (ringback.accounts.api_keys,
enrol_existing_keys; the worker functions/pool/key_enrolment.py): every live key without a
meter is enrolled, once, whatever else a run meets."""
import importlib
import sys

import pytest

from infra.catalog import FUNCTIONS_DIR
from ringback.accounts.api_keys import ApiKey, enrol_existing_keys
from ringback.adapters.memory_key_pages import MemoryKeyPages
from ringback.adapters.memory_usage import MemoryUsageMeter
from ringback.errors import Unavailable

NOW = 1_795_000_000_000


def key(key_id: str, tenant: str = "t-acme", revoked: bool = False) -> ApiKey:
    return ApiKey(key_id, tenant, f"key {key_id}", "read", "0" * 64, "sub-ann", NOW,
                  revoked_at=NOW + 1 if revoked else None)


@pytest.fixture
def world():
    store, meter = MemoryKeyPages(), MemoryUsageMeter("prod")
    return store, meter


def saved(store, *keys):
    for k in keys:
        store.save(k)


def test_every_live_key_without_a_meter_is_enrolled_and_nothing_else(world):
    store, meter = world
    saved(store, key("k01"), key("k02", "t-other"), key("k03", revoked=True), key("k04"))
    meter.enroll("k04")  # made after usage plans: enrolled at creation
    meter.enrollments.clear()
    run = enrol_existing_keys(store, meter)
    assert run.done and sorted(run.enrolled) == ["k01", "k02"]
    assert meter.enrollments == ["k01", "k02"]  # no call for a metered or a revoked key
    assert meter.metered == {"k01", "k02", "k04"}
    assert (run.examined, run.metered_already, run.revoked, run.failed) == (4, 1, 1, [])
    assert run.as_json() == {"examined": 4, "meteredAlready": 1, "revoked": 1, "enrolled": 2,
                             "enrolledKeys": ["k01", "k02"], "failed": [], "withdrawn": [], "complete": True,
                             "cursor": None}


def test_a_second_run_changes_nothing(world):
    store, meter = world
    saved(store, key("k01"), key("k02"))
    enrol_existing_keys(store, meter)
    meter.enrollments.clear()
    again = enrol_existing_keys(store, meter)
    assert again.done and again.enrolled == [] and again.metered_already == 2
    assert meter.enrollments == []


def test_the_table_is_read_page_by_page(world):
    store, meter = world
    saved(store, *(key(f"k{i:02}") for i in range(7)))
    run = enrol_existing_keys(store, meter, page_size=3)
    assert run.done and len(run.enrolled) == 7
    assert store.pages_read == [None, "k02", "k05"]


def test_a_run_out_of_time_says_where_it_stopped_and_the_next_one_resumes_there(world):
    store, meter = world
    saved(store, *(key(f"k{i:02}") for i in range(5)))
    first = enrol_existing_keys(store, meter, page_size=2, out_of_time=lambda: True)
    assert not first.complete and not first.done and first.cursor == "k01" and first.enrolled == ["k00", "k01"]
    rest = enrol_existing_keys(store, meter, page_size=2, cursor=first.cursor)
    assert rest.done and rest.enrolled == ["k02", "k03", "k04"]
    # Or from the start again: what the first run did is not done twice.
    meter.enrollments.clear()
    whole = enrol_existing_keys(store, meter, page_size=2)
    assert whole.done and whole.metered_already == 5 and meter.enrollments == []


def test_a_key_the_gateway_refuses_is_reported_and_the_others_are_still_enrolled(world):
    store, meter = world
    saved(store, key("k01"), key("k02"), key("k03"))
    meter.refusing = {"k02"}
    run = enrol_existing_keys(store, meter)
    assert run.complete and not run.done
    assert run.failed == ["k02"] and run.enrolled == ["k01", "k03"]
    meter.refusing = set()
    assert enrol_existing_keys(store, meter).enrolled == ["k02"]


def test_a_revoked_key_whose_meter_outlived_it_loses_the_meter(world):
    store, meter = world
    saved(store, key("k01", revoked=True), key("k02"))
    meter.enroll("k01")  # its revocation's withdrawal failed (it is logged, and the key refused anyway)
    run = enrol_existing_keys(store, meter)
    assert run.done and run.withdrawn == ["k01"] and meter.metered == {"k02"}
    assert enrol_existing_keys(store, meter).withdrawn == []


def test_without_the_plan_to_read_nothing_is_enrolled(world):
    store, meter = world
    saved(store, key("k01"))
    meter.unreachable = True
    with pytest.raises(Unavailable):
        enrol_existing_keys(store, meter)
    assert meter.metered == set()


def test_a_key_revoked_while_it_was_enrolled_keeps_no_meter(world):
    store, meter = world
    saved(store, key("k01"), key("k02"))

    class Racing(MemoryUsageMeter):
        def enroll(self, key_id: str) -> None:
            super().enroll(key_id)
            if key_id == "k01":  # a manager revokes it, and its withdrawal runs, meanwhile
                store.revoke(key_id, NOW + 5)
                self.withdraw(key_id)

    racing = Racing("prod")
    run = enrol_existing_keys(store, racing)
    assert run.done and run.enrolled == ["k02"] and run.revoked == 1
    assert racing.metered == {"k02"}


# -- the worker --------------------------------------------------------------------------------


@pytest.fixture
def worker(monkeypatch, world):
    monkeypatch.syspath_prepend(str(FUNCTIONS_DIR / "pool"))
    sys.modules.pop("key_enrolment", None)
    module = importlib.import_module("key_enrolment")
    monkeypatch.setattr(module, "_parts", lambda: world)
    return module


class _Context:
    def __init__(self, remaining_ms: int) -> None:
        self._remaining = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining


def test_the_worker_answers_what_it_did(worker, world):
    store, meter = world
    saved(store, key("k01"), key("k02", revoked=True))
    report = worker.enrol_existing_keys({}, _Context(600_000))
    assert report["enrolled"] == 1 and report["revoked"] == 1 and report["complete"] is True


def test_the_worker_fails_the_deploy_while_a_live_key_has_no_meter(worker, world):
    store, meter = world
    saved(store, key("k01"), key("k02"))
    meter.refusing = {"k01"}
    with pytest.raises(worker.KeysLeftUnmetered, match="1 API key.*k01.*Safe to run again"):
        worker.enrol_existing_keys({}, _Context(600_000))
    assert meter.metered == {"k02"}


def test_the_worker_stops_reading_before_its_time_is_up_and_says_how_to_resume(worker, world, monkeypatch):
    store, meter = world
    saved(store, *(key(f"k{i:03}") for i in range(150)))  # two pages of 100
    with pytest.raises(worker.KeysLeftUnmetered, match='cursor": "k099"'):
        worker.enrol_existing_keys({}, _Context(worker.MARGIN_MS - 1))
    assert worker.enrol_existing_keys({"cursor": "k099"}, _Context(600_000))["enrolled"] == 50


def test_the_authorizer_names_an_old_keys_meter_without_asking_the_gateway(world):
    """An old key is let through by the authorizer with its identifier; API Gateway itself
    refuses an identifier no plan holds (403 api_key_not_metered, infra/constructs/api.py),
    so the authorizer needs no management call, nor the right to make meters."""
    from ringback.accounts.api_keys import ApiKeys, _hash
    from ringback.accounts.audit import Audit
    from ringback.adapters.identity import authorizer_response
    from ringback.adapters.memory_accounts import MemoryAuditLog

    store, meter = world
    secret = "s" * 43
    store.save(ApiKey("k0123456789abcdef", "t-acme", "old", "read", _hash(secret), "sub-ann", NOW))
    keys = ApiKeys(store, Audit(MemoryAuditLog()), meter)
    event = {"methodArn": "arn:aws:execute-api:us-east-1:1:api/prod/GET/v1/calls",
             "headers": {"Authorization": f"Bearer rbk_k0123456789abcdef_{secret}"}}
    answer = authorizer_response(event, lambda header: keys.authenticate(header.split()[-1], NOW),
                                 keys.usage_identifier)
    assert answer["usageIdentifierKey"] == "ringback-prod-key-k0123456789abcdef"
    assert meter.enrollments == [] and meter.metered == set()
