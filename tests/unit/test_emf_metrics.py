"""The EMF adapter: what CloudWatch receives from a function's stdout is valid Embedded
Metric Format, carries the stage as its only dimension, and never a tenant, phone number
or session as one; a tenant's count travels as a property for Contributor Insights."""
import json
import threading
import warnings

from ringback.adapters.emf_metrics import EmfMetrics
from ringback.metrics import Metric


def emf_lines(text: str) -> list[dict]:
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    for line in lines:
        assert_valid_emf(line)
    return lines


def assert_valid_emf(line: dict) -> None:
    """The EMF specification's rules (CloudWatch drops a line that breaks one): an _aws
    object with an epoch-ms Timestamp and CloudWatchMetrics directives; each directive's
    namespace, dimension sets of at most 30 keys that the line defines as strings, and
    metrics that the line defines as numbers or arrays of numbers."""
    aws = line["_aws"]
    assert isinstance(aws["Timestamp"], int) and aws["Timestamp"] > 1_600_000_000_000
    assert aws["CloudWatchMetrics"]
    for directive in aws["CloudWatchMetrics"]:
        assert isinstance(directive["Namespace"], str) and directive["Namespace"]
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            for key in dimension_set:
                assert isinstance(line[key], str)
        assert directive["Metrics"]
        for metric in directive["Metrics"]:
            value = line[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert values and all(isinstance(v, (int, float)) for v in values)
            assert metric.get("Unit", "None") in ("Count", "None")


def test_an_invocations_counts_are_one_line_with_the_stage_as_the_only_dimension(capsys):
    meter = EmfMetrics("Ringback", "prod", "widget")
    meter.count(Metric.SESSIONS_STARTED)
    meter.count(Metric.SESSIONS_STARTED)
    meter.count(Metric.LEASES_GRANTED)
    meter.observe(Metric.ATTRIBUTION_CONFIDENCE, 0.98)
    assert capsys.readouterr().out == ""  # nothing until the invocation ends
    meter.flush()
    [line] = emf_lines(capsys.readouterr().out)
    [directive] = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Ringback" and directive["Dimensions"] == [["stage"]]
    units = {m["Name"]: m["Unit"] for m in directive["Metrics"]}
    assert units == {"SessionsStarted": "Count", "LeasesGranted": "Count", "AttributionConfidence": "None"}
    assert line["stage"] == "prod" and line["service"] == "widget"
    assert line["SessionsStarted"] == [1.0, 1.0] and line["AttributionConfidence"] == [0.98]


def test_a_tenants_count_is_a_line_of_its_own_with_the_tenant_as_a_property_not_a_dimension(capsys):
    meter = EmfMetrics("Ringback", "prod", "widget")
    meter.count(Metric.POOL_OVERFLOW, tenant="t_plumbing")
    [line] = emf_lines(capsys.readouterr().out)
    # What the per-tenant alarm's Contributor Insights rule keys on and filters by.
    assert (line["tenant"], line["metric"], line["PoolOverflow"]) == ("t_plumbing", "PoolOverflow", [1.0])
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["stage"]]
    meter.flush()
    assert capsys.readouterr().out == ""  # already out, not twice


def test_an_invocation_that_counted_nothing_prints_nothing_and_warns_nothing(capsys):
    meter = EmfMetrics("Ringback", "prod", "dialer-events")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        meter.flush()
    assert capsys.readouterr().out == ""


def test_stages_in_one_account_stay_apart_and_each_flush_starts_afresh(capsys):
    prod, dev = EmfMetrics("Ringback", "prod"), EmfMetrics("Ringback", "dev")
    prod.count(Metric.SMS_FAILED)
    dev.count(Metric.SMS_SENT)
    prod.flush()
    dev.flush()
    prod.flush()
    lines = emf_lines(capsys.readouterr().out)
    assert [(line["stage"], "SmsFailed" in line, "SmsSent" in line) for line in lines] == [
        ("prod", True, False), ("dev", False, True)]


def test_concurrent_invocations_of_one_process_lose_no_count(capsys):
    # The local stack serves a function's concurrent requests from threads of one process.
    meter = EmfMetrics("Ringback", "local", "widget")

    def visits():
        for n in range(300):
            meter.count(Metric.SESSIONS_STARTED)
            if n % 50 == 0:
                meter.flush()

    threads = [threading.Thread(target=visits) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    meter.flush()
    lines = emf_lines(capsys.readouterr().out)
    counted = sum(sum(v) if isinstance(v, list) else v for line in lines for v in [line.get("SessionsStarted", 0)])
    assert counted == 6 * 300 and all(line["service"] == "widget" for line in lines)
