"""Operations on the synthesized template: each kind of trouble an operator must hear of
first has an alarm, every alarm notifies the encrypted topic (e-mailed when the stack's
parameter names an address), the dashboard shows the business, every function and the
workflow are traced, and every alarm's runbook section exists."""
from __future__ import annotations

import json
import re

from infra.catalog import FUNCTIONS, REPO
from infra.constructs.operations import ALARM_EMAIL_PARAMETER, NAMESPACE
from ringback.metrics import Metric


def alarms(synth) -> dict[str, dict]:
    return {k: v["Properties"] for k, v in synth.of_type("AWS::CloudWatch::Alarm").items()}


def topic_id(synth) -> str:
    [topic] = synth.of_type("AWS::SNS::Topic")
    return topic


def metric_stats(alarm: dict) -> list[dict]:
    """Every metric an alarm reads, as {namespace, name, dimensions}, plain or in a math expression."""
    if "MetricName" in alarm:
        return [{"namespace": alarm["Namespace"], "name": alarm["MetricName"],
                 "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}}]
    found = []
    for query in alarm.get("Metrics", []):
        stat = query.get("MetricStat")
        if stat:
            metric = stat["Metric"]
            found.append({"namespace": metric["Namespace"], "name": metric["MetricName"],
                          "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}})
    return found


def alarms_on(synth, namespace: str, name: str, **dimensions) -> list[dict]:
    return [a for a in alarms(synth).values() if any(
        m["namespace"] == namespace and m["name"] == name
        and all(m["dimensions"].get(k) == v for k, v in dimensions.items()) for m in metric_stats(a))]


def get_att(logical: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [logical, attribute]}


def test_every_alarm_notifies_the_topic_of_trouble_and_of_its_end(synth):
    topic = {"Ref": topic_id(synth)}
    found = alarms(synth)
    assert len(found) >= 2 * len(FUNCTIONS) + 6
    assert {name for name, a in found.items() if a.get("AlarmActions") != [topic]} == set()
    assert {name for name, a in found.items() if a.get("OKActions") != [topic]} == set()
    # A quiet night (no data) is not trouble.
    assert {a["TreatMissingData"] for a in found.values()} == {"notBreaching"}


def test_the_topic_is_encrypted_under_a_rotated_key_that_cloudwatch_may_use(synth):
    [(_, topic)] = synth.of_type("AWS::SNS::Topic").items()
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = synth.resources[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    cloudwatch = [s for s in key["KeyPolicy"]["Statement"]
                  if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"]
    assert cloudwatch and set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    [(_, policy)] = [(k, v) for k, v in synth.of_type("AWS::SNS::TopicPolicy").items()]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in statements)
    assert any(s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
               and s["Action"] == "sns:Publish" for s in statements)


def test_the_alarm_email_is_a_stack_parameter_and_subscribed_only_when_given(synth):
    template = synth.template.to_json()
    parameter = template["Parameters"][ALARM_EMAIL_PARAMETER]
    assert parameter["Type"] == "String" and parameter["Default"] == ""
    assert re.fullmatch(parameter["AllowedPattern"], "") and re.fullmatch(parameter["AllowedPattern"],
                                                                          "ops@plumbing.example")
    assert not re.fullmatch(parameter["AllowedPattern"], "not an address")
    [(_, subscription)] = synth.of_type("AWS::SNS::Subscription").items()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == {"Ref": ALARM_EMAIL_PARAMETER}
    assert subscription["Properties"]["TopicArn"] == {"Ref": topic_id(synth)}
    condition = template["Conditions"][subscription["Condition"]]
    assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": ALARM_EMAIL_PARAMETER}, ""]}]}


def dead_letter_queues(synth) -> set[str]:
    """Every queue the template uses as a dead-letter queue: a queue's redrive target, or
    an event source's on-failure destination."""
    found = set()
    for queue in synth.of_type("AWS::SQS::Queue").values():
        target = queue["Properties"].get("RedrivePolicy", {}).get("deadLetterTargetArn")
        if target:
            found.add(target["Fn::GetAtt"][0])
    for mapping in synth.of_type("AWS::Lambda::EventSourceMapping").values():
        destination = mapping["Properties"].get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination:
            found.add(destination["Fn::GetAtt"][0])
    return found


def test_every_dead_letter_queue_in_the_stack_alarms_on_its_first_message(synth):
    queues = dead_letter_queues(synth)
    assert len(queues) >= 2
    for queue in queues:
        [alarm] = alarms_on(synth, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                            QueueName=get_att(queue, "QueueName"))
        assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
            "Maximum", 1, "GreaterThanOrEqualToThreshold")


def test_the_dial_workflow_alarms_on_failed_and_timed_out_executions(synth):
    [machine] = synth.of_type("AWS::StepFunctions::StateMachine")
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
        [alarm] = alarms_on(synth, "AWS/States", metric, StateMachineArn={"Ref": machine})
        assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)


def test_each_api_alarms_on_its_5xx_rate_once_it_has_traffic(synth):
    apis = synth.of_type("AWS::ApiGateway::RestApi")
    assert apis
    for api in apis.values():
        name = api["Properties"]["Name"]
        [alarm] = alarms_on(synth, "AWS/ApiGateway", "5XXError", ApiName=name)
        [expression] = [q["Expression"] for q in alarm["Metrics"] if "Expression" in q]
        assert expression.startswith("IF(") and "100 *" in expression
        assert {m["name"] for m in metric_stats(alarm)} == {"5XXError", "Count"}


def catalog_functions(synth) -> dict[str, str]:
    """Every function and worker of infra/catalog.py -> its logical id."""
    built = {**synth.stack.functions.functions, **synth.stack.functions.workers}
    expected = {spec.name for spec in FUNCTIONS} | {f"{spec.name}-{w}" for spec in FUNCTIONS for w in spec.workers}
    assert set(built) == expected
    return {name: synth.logical_id(function) for name, function in built.items()}


def test_every_function_and_worker_alarms_on_its_errors_and_throttles(synth):
    for name, logical in catalog_functions(synth).items():
        for metric in ("Errors", "Throttles"):
            assert len(alarms_on(synth, "AWS/Lambda", metric, FunctionName={"Ref": logical})) == 1, (name, metric)


def business_alarm(synth, metric: Metric) -> dict:
    [alarm] = alarms_on(synth, NAMESPACE, metric.value, stage=synth.stack.operations.stage)
    return alarm


def test_failed_texts_and_failing_webhooks_alarm_on_the_functions_own_metrics(synth):
    sms = business_alarm(synth, Metric.SMS_FAILED)
    assert (sms["Statistic"], sms["Period"], sms["Threshold"]) == ("Sum", 900, 5)
    webhooks = business_alarm(synth, Metric.WEBHOOK_DELIVERY_FAILURES)
    assert {m["name"] for m in metric_stats(webhooks)} == {"WebhookDeliveryFailures", "WebhookDeliveries"}


def test_a_full_pool_alarms_per_tenant_through_contributor_insights_over_every_functions_logs(synth):
    [rule] = synth.of_type("AWS::CloudWatch::InsightRule").values()
    name = rule["Properties"]["RuleName"]
    [alarm] = [a for a in alarms(synth).values()
               if any(q.get("Expression") == f"INSIGHT_RULE_METRIC('{name}', 'MaxContributorValue')"
                      for q in a.get("Metrics", []))]
    assert alarm["Threshold"] == 20 and alarm["AlarmActions"] == [{"Ref": topic_id(synth)}]
    definition = json.loads(rendered(rule["Properties"]["RuleBody"]))
    # Counts the overflow's EMF lines per tenant, which they carry as a property, never a dimension.
    assert definition["Contribution"]["Keys"] == ["$.tenant"] and definition["AggregateOn"] == "Count"
    assert {"Match": "$.metric", "In": [Metric.POOL_OVERFLOW.value]} in definition["Contribution"]["Filters"]
    assert definition["LogFormat"] == "JSON"
    groups = set(definition["LogGroupNames"])
    for logical in catalog_functions(synth).values():
        log_group = synth.resources[logical]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert f"<{log_group}>" in groups, logical


def rendered(value) -> str:
    """A template string with its references written as <LogicalId> (or <Id.Attribute>)."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        delimiter, parts = value["Fn::Join"]
        return delimiter.join(rendered(p) for p in parts)
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    raise AssertionError(f"unexpected intrinsic {value}")


def dashboard(synth) -> dict:
    [(_, board)] = synth.of_type("AWS::CloudWatch::Dashboard").items()
    return json.loads(rendered(board["Properties"]["DashboardBody"]))


def test_the_dashboard_shows_every_business_metric_and_the_state_of_every_alarm(synth):
    widgets = dashboard(synth)["widgets"]
    metrics = [m for w in widgets for m in w["properties"].get("metrics", [])]
    shown = {m[1] for m in metrics if len(m) > 1 and m[0] == NAMESPACE}
    assert shown == {metric.value for metric in Metric}
    [status] = [w for w in widgets if w["type"] == "alarm"]
    assert len(status["properties"]["alarms"]) == len(alarms(synth))
    names = {m[1] for m in metrics if len(m) > 1 and isinstance(m[1], str)}
    assert {"ApproximateNumberOfMessagesVisible", "ExecutionsFailed", "5XXError", "Errors", "Throttles"} <= names


def test_every_function_the_workflow_and_the_api_are_traced(synth):
    for name, logical in catalog_functions(synth).items():
        function = synth.resources[logical]["Properties"]
        assert function["TracingConfig"] == {"Mode": "Active"}, name
        role = function["Role"]["Fn::GetAtt"][0]
        actions = {action for policy in synth.of_type("AWS::IAM::Policy").values()
                   if {"Ref": role} in policy["Properties"]["Roles"]
                   for statement in policy["Properties"]["PolicyDocument"]["Statement"]
                   for action in ([statement["Action"]] if isinstance(statement["Action"], str)
                                  else statement["Action"])}
        # CDK's tracing grant: what the X-Ray daemon in the function's sandbox sends with.
        assert {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= actions, name
    [machine] = synth.of_type("AWS::StepFunctions::StateMachine").values()
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    stages = synth.of_type("AWS::ApiGateway::Stage").values()
    assert stages and all(s["Properties"]["TracingEnabled"] is True for s in stages)


def runbook_anchors() -> set[str]:
    """The anchors of docs/operations.md's sections, as GitHub makes them from headings."""
    runbook = (REPO / "docs" / "operations.md").read_text()
    return {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in runbook.splitlines() if line.startswith("## ")}


def test_every_alarm_names_a_section_of_the_runbook_that_exists(synth):
    anchors = runbook_anchors()
    named = {a["AlarmDescription"].rpartition("#")[2] for a in alarms(synth).values()}
    assert named and named <= anchors, named - anchors


def test_the_sign_up_triggers_errors_alarm_counts_its_refusals_out(synth):
    """Cognito refuses a sign-up only when its trigger raises, so each refusal is a Lambda
    error: that alarm watches errors minus the refusals the guard counts."""
    functions = catalog_functions(synth)
    [alarm] = alarms_on(synth, "AWS/Lambda", "Errors", FunctionName={"Ref": functions["pool-signup"]})
    stats = {q["Id"]: q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q}
    assert stats["e"]["Metric"]["MetricName"] == "Errors"
    assert stats["r"]["Metric"] == {"Namespace": NAMESPACE, "MetricName": Metric.SIGN_UPS_REFUSED.value,
                                    "Dimensions": [{"Name": "stage", "Value": synth.stack.operations.stage}]}
    assert {s["Period"] for s in stats.values()} == {300} and {s["Stat"] for s in stats.values()} == {"Sum"}
    [expression] = [q for q in alarm["Metrics"] if "Expression" in q]
    assert expression["Expression"] == "IF(e - FILL(r, 0) > 0, e - FILL(r, 0), 0)"
    assert expression["ReturnData"] is True
    assert all(q.get("ReturnData") is False for q in alarm["Metrics"] if "MetricStat" in q)
    assert alarm["Threshold"] == 5 and alarm["AlarmDescription"].endswith("#lambda-errors")
    # Every other function's errors alarm counts every error.
    for name, logical in functions.items():
        if name != "pool-signup":
            [other] = alarms_on(synth, "AWS/Lambda", "Errors", FunctionName={"Ref": logical})
            assert other["MetricName"] == "Errors" and other["Statistic"] == "Sum", name


def test_the_dashboard_shows_refused_sign_ups_beside_the_triggers_errors(synth):
    widgets = dashboard(synth)["widgets"]
    [graph] = [w for w in widgets if w["properties"].get("title") == "pool-signup: refusals and real failures"]
    metrics = graph["properties"]["metrics"]
    assert any(m[:2] == [NAMESPACE, Metric.SIGN_UPS_REFUSED.value] for m in metrics)
    assert any(len(m) > 1 and m[1] == "Errors" for m in metrics)
    assert any(isinstance(m[0], dict) and m[0].get("expression", "").startswith("IF(e - FILL(r, 0)")
               for m in metrics)
