"""FunctionsConstruct: one function per catalog entry, configured to find its settings,
and allowed exactly the tables infra/catalog.py lists for it."""
from __future__ import annotations

import pytest

from infra.catalog import APPEND, APPEND_QUERY, ERASE, FUNCTIONS, QUERY, READ, TOUCH, TOUCH_ERASE, WRITE
from infra.constructs.functions import RUNTIME
from tests.infra.policies import function_resource, table_access

WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
# Every function's; the variables that name resources come with what each uses
# (tests/infra/test_environment_grants.py).
SETTINGS_VARIABLES = {"RINGBACK_STAGE", "RINGBACK_TABLE_PREFIX", "RINGBACK_PUBLIC_BASE_URL"}


def test_one_function_per_catalog_entry(synth):
    ours = {
        k: v for k, v in synth.of_type("AWS::Lambda::Function").items()
        if v["Properties"].get("Handler") == "app.app"
    }
    assert len(ours) == len(FUNCTIONS)
    assert set(synth.stack.functions.functions) == {spec.name for spec in FUNCTIONS}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_function_runs_the_chalice_app_on_the_current_runtime(synth, spec):
    props = function_resource(synth, spec.name)["Properties"]
    assert props["Runtime"] == RUNTIME.name == "python3.14"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == "app.app"
    assert props["MemorySize"] == spec.memory_mb
    assert props["Timeout"] == spec.timeout_seconds
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert {"Ref": synth.logical_id(synth.stack.functions.layer)} in props["Layers"]


def _layer_ids(synth, function) -> set[str]:
    return {layer["Ref"] for layer in synth.resources[synth.logical_id(function)]["Properties"]["Layers"]}


def test_reports_and_its_workers_get_the_pyarrow_layer_and_the_others_do_not(synth):
    functions = synth.stack.functions
    shared = synth.logical_id(functions.layer)
    analytics = synth.logical_id(functions.extra_layers["analytics"])
    layer = synth.resources[analytics]["Properties"]
    assert layer["CompatibleRuntimes"] == [RUNTIME.name]
    assert layer["CompatibleArchitectures"] == ["arm64"]
    assert "analytics" in layer["Description"]

    everyone = {**functions.functions, **functions.workers}
    with_pyarrow = {name for name, function in everyone.items() if analytics in _layer_ids(synth, function)}
    assert with_pyarrow == {"reports", "reports-changes", "reports-compact"}
    for name, function in everyone.items():
        expected = {shared, analytics} if name in with_pyarrow else {shared}
        assert _layer_ids(synth, function) == expected, name


def test_only_the_analytics_group_is_an_extra_layer(synth):
    assert set(synth.stack.functions.extra_layers) == {"analytics"}
    assert {spec.name for spec in FUNCTIONS if spec.extras} == {"reports"}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_function_environment_rebuilds_its_settings(synth, spec):
    env = function_resource(synth, spec.name)["Properties"]["Environment"]["Variables"]
    assert set(env) >= SETTINGS_VARIABLES
    assert env["RINGBACK_STAGE"] == "prod"
    assert env["RINGBACK_TABLE_PREFIX"] == "ringback-prod-"
    assert env["POWERTOOLS_SERVICE_NAME"] == spec.name
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Ringback"
    assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
    # Lambda rejects a function that sets its reserved variables.
    assert not {"AWS_REGION", "AWS_DEFAULT_REGION"} & set(env)
    # Locally-only settings stay unset in AWS.
    assert not {"AWS_ENDPOINT_URL", "RINGBACK_TWILIO_API_BASE_URL"} & set(env)


def test_public_base_url_is_the_distribution(synth):
    env = function_resource(synth, "widget")["Properties"]["Environment"]["Variables"]
    distribution = synth.logical_id(synth.stack.edge.distribution)
    assert env["RINGBACK_PUBLIC_BASE_URL"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]
    }


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_function_logs_to_its_own_group_with_retention(synth, spec):
    props = function_resource(synth, spec.name)["Properties"]
    group_id = props["LoggingConfig"]["LogGroup"]["Ref"]
    assert synth.resources[group_id]["Properties"]["RetentionInDays"] == 90


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_function_gets_exactly_its_catalog_tables(synth, spec):
    access = table_access(synth, spec.name)
    assert set(access) == set(spec.tables)
    for logical, level in spec.tables.items():
        if level == WRITE:
            assert access[logical] >= WRITE_ACTIONS, logical
        elif level == TOUCH:
            assert WRITE_ACTIONS & access[logical] == {"dynamodb:UpdateItem"}, logical
        elif level in (ERASE, TOUCH_ERASE):
            expected = {"dynamodb:DeleteItem"} | ({"dynamodb:UpdateItem"} if level == TOUCH_ERASE else set())
            assert WRITE_ACTIONS & access[logical] == expected, logical
        elif level in (APPEND, QUERY, APPEND_QUERY):
            actions = {APPEND: "dynamodb:PutItem", QUERY: "dynamodb:Query"}
            assert access[logical] == {actions[part] for part in level.split("+")}, logical
        else:
            assert level == READ
            assert not WRITE_ACTIONS & access[logical], logical


def test_widget_cannot_touch_the_call_log(synth):
    assert "calls" not in table_access(synth, "widget")


def test_reports_updates_a_calls_lead_but_never_puts_a_call(synth):
    # The dashboard's lead changes are UpdateItems (ringback.calls.desk); the call records
    # themselves are the dialer's, and deleted here only by a caller's erasure.
    access = table_access(synth, "reports")["calls"]
    assert "dynamodb:Query" in access
    assert WRITE_ACTIONS & access == {"dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def test_the_webhook_delivery_log_is_put_by_its_writers_and_queried_by_its_reader_only(synth):
    # The events worker (dialer) records attempts and reads none; the pool function records
    # a test delivery and serves the list. Nobody updates, deletes or scans it.
    assert table_access(synth, "dialer")["webhook_deliveries"] == {"dynamodb:PutItem"}
    assert table_access(synth, "pool")["webhook_deliveries"] == {"dynamodb:PutItem", "dynamodb:Query"}
    assert "webhook_deliveries" not in table_access(synth, "widget")
    assert "webhook_deliveries" not in table_access(synth, "reports")


def test_roles_carry_no_aws_managed_policy(synth):
    for name in synth.stack.functions.functions:
        role_id = function_resource(synth, name)["Properties"]["Role"]["Fn::GetAtt"][0]
        assert "ManagedPolicyArns" not in synth.resources[role_id]["Properties"], name
