"""Data that expires: the recordings bucket expires each retention class a tenant may
choose, the analytics bucket its events and query results by policy, and the tables
whose items end carry a TTL attribute that the code stamps."""
from __future__ import annotations

import pytest

from ringback.adapters.tables import table_specs
from ringback.calls import retention
from ringback.errors import InvalidInput


def _rules(synth, bucket) -> dict[str, dict]:
    props = synth.resources[synth.logical_id(bucket)]["Properties"]
    return {rule["Id"]: rule for rule in props["LifecycleConfiguration"]["Rules"]}


def _ttl(synth) -> dict[str, str | None]:
    out = {}
    for table in synth.of_type("AWS::DynamoDB::Table").values():
        props = table["Properties"]
        spec = props.get("TimeToLiveSpecification") or {}
        name = props["TableName"].removeprefix("ringback-prod-")
        out[name] = spec.get("AttributeName") if spec.get("Enabled") else None
    return out


@pytest.mark.parametrize("days", retention.RECORDING_RETENTION_DAYS)
def test_a_recording_uploaded_with_a_tenants_class_is_expired_by_that_classes_rule(synth, days):
    rules = _rules(synth, synth.stack.dialer.recordings)
    tags = retention.recording_tags(days)  # what the product puts on the object
    matching = [rule for rule in rules.values()
                if {t["Key"]: t["Value"] for t in rule.get("TagFilters", [])} == tags]
    assert len(matching) == 1, f"no single rule expires recordings tagged {tags}"
    rule = matching[0]
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == days


def test_the_default_class_is_ninety_days_and_a_tenant_cannot_pick_a_class_without_a_rule(synth):
    assert retention.DEFAULT_RECORDING_RETENTION_DAYS == 90
    assert retention.recording_tags(retention.DEFAULT_RECORDING_RETENTION_DAYS) == {"retention-days": "90"}
    with pytest.raises(InvalidInput):
        retention.recording_tags(45)
    rules = _rules(synth, synth.stack.dialer.recordings)
    assert "recordings-90-days" in rules


def test_no_recording_outlives_the_longest_class_even_untagged(synth):
    rules = _rules(synth, synth.stack.dialer.recordings)
    untagged = [r for r in rules.values() if "ExpirationInDays" in r and not r.get("TagFilters")
                and not r.get("Prefix")]
    assert [r["ExpirationInDays"] for r in untagged] == [max(retention.RECORDING_RETENTION_DAYS)]


def test_only_classes_kept_long_move_to_infrequent_access(synth):
    for rule in _rules(synth, synth.stack.dialer.recordings).values():
        if not rule.get("TagFilters"):
            continue
        days = rule["ExpirationInDays"]
        moves = rule.get("Transitions", [])
        if days >= retention.INFREQUENT_ACCESS_FROM_CLASS:
            assert moves == [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}], rule["Id"]
        else:
            # Standard-IA bills 30 days at least: a 30-day recording stays in Standard.
            assert moves == [], rule["Id"]


@pytest.mark.parametrize("bucket", ["recordings", "analytics"])
def test_old_versions_and_leftover_delete_markers_expire(synth, bucket):
    construct = synth.stack.dialer.recordings if bucket == "recordings" else synth.stack.analytics.bucket
    rule = _rules(synth, construct)["expire-noncurrent"]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": retention.NONCURRENT_DAYS}
    assert rule["ExpiredObjectDeleteMarker"] is True
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


def test_analytics_events_and_query_results_expire_by_policy(synth):
    rules = _rules(synth, synth.stack.analytics.bucket)
    assert rules["expire-events"]["Prefix"] == "events/"
    assert rules["expire-events"]["ExpirationInDays"] == retention.ANALYTICS_EVENTS_DAYS
    # Twelve months compared with the twelve before them, whatever the month's length.
    assert retention.ANALYTICS_EVENTS_DAYS >= 2 * 366
    assert rules["expire-athena-results"]["Prefix"] == "athena-results/"
    assert rules["expire-athena-results"]["ExpirationInDays"] == 7


@pytest.mark.parametrize("table, attribute", [
    ("callback_legs", "retain_until"),
    ("callback_requests", "retain_until"),
    ("messages", "retain_until"),
    ("leases", "expire_after"),
    ("lease_history", "retain_until"),
    ("calls", "retain_until"),
    ("visits", "retain_until"),
])
def test_expiring_tables_have_ttl_on_the_attribute_the_code_stamps(synth, table, attribute):
    assert _ttl(synth)[table] == attribute
    model = next(spec.model for spec in table_specs() if spec.logical_name == table)
    assert attribute in model.get_attributes()


def test_lease_history_outlives_the_attribution_window_whatever_the_tenant_retention():
    from ringback.tracking.attribution import WINDOW_MS

    leased_at = 1_800_000_000_000
    one_day = leased_at + retention.DAY_MS  # a tenant that keeps its data one day
    assert retention.lease_history_retain_until(leased_at, one_day) >= leased_at + WINDOW_MS
    long = leased_at + 400 * retention.DAY_MS
    assert retention.lease_history_retain_until(leased_at, long) == long


# -- what an erasure may do (ringback.calls.erasure), and no more ---------------------------

WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


@pytest.mark.parametrize("table", ["calls", "callback_requests", "callback_legs", "messages"])
def test_the_reports_function_may_delete_a_callers_items_but_never_put_one(synth, table):
    from tests.infra.policies import table_access

    access = table_access(synth, "reports")[table]
    assert "dynamodb:DeleteItem" in access and "dynamodb:Query" in access
    assert not {"dynamodb:PutItem", "dynamodb:BatchWriteItem"} & access


def test_the_reports_function_deletes_recordings_and_their_versions_but_cannot_write_one(synth):
    from tests.infra.policies import bucket_actions

    actions = bucket_actions(synth, "reports", synth.stack.dialer.recordings)
    assert {"s3:DeleteObject*", "s3:List*", "s3:GetObject*"} <= actions
    assert not {a for a in actions if a.startswith("s3:Put")}


def test_the_dialer_may_tag_the_recordings_it_stores(synth):
    from tests.infra.policies import bucket_actions

    # A PutObject that carries tags needs s3:PutObjectTagging as well.
    assert {"s3:PutObject", "s3:PutObjectTagging"} <= bucket_actions(synth, "dialer", synth.stack.dialer.recordings)


def test_no_other_function_may_delete_recordings(synth):
    from tests.infra.policies import bucket_actions

    for name in ("widget", "pool"):
        assert not bucket_actions(synth, name, synth.stack.dialer.recordings), name
