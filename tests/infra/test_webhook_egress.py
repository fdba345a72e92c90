"""Outgoing webhooks in the deployed stack: the functions that send them (the dialer's
events worker, the pool function's test deliveries) reach the internet, and none is told
it may send to loopback or over http, which only the local stack allows."""
from __future__ import annotations

from devstack import aws
from infra.catalog import FUNCTIONS, function_environment


def test_no_deployed_function_may_send_webhooks_inside_a_network(synth):
    for logical_id, function in synth.of_type("AWS::Lambda::Function").items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert "RINGBACK_WEBHOOKS_ALLOW_LOCAL" not in variables, logical_id


def test_the_functions_that_post_webhooks_are_outside_any_vpc(synth):
    # In a VPC without a NAT gateway a test delivery would hang until its timeout.
    for name in ("pool", "dialer"):
        function = synth.resources[synth.logical_id(synth.stack.functions.functions[name])]
        assert "VpcConfig" not in function["Properties"], name
    for worker in ("dialer-events", "pool-authorizer"):
        function = synth.resources[synth.logical_id(synth.stack.functions.workers[worker])]
        assert "VpcConfig" not in function["Properties"], worker
    assert not synth.of_type("AWS::EC2::SecurityGroup")


def test_the_local_stack_tells_every_function_it_may_reach_its_receivers():
    local = aws.local_settings("http://127.0.0.1:4566", "http://127.0.0.1:8000")
    for spec in FUNCTIONS:
        assert function_environment(local, spec)["RINGBACK_WEBHOOKS_ALLOW_LOCAL"] == "true"
