"""DialerConstruct: the recordings bucket, and who may reach it."""
from __future__ import annotations

import pytest

from infra.catalog import FUNCTIONS
from tests.infra.policies import bucket_actions, lifecycle


@pytest.fixture(scope="module")
def recordings(synth):
    return synth.stack.dialer.recordings


def test_recordings_are_encrypted_with_the_data_key_and_versioned(synth, recordings):
    props = synth.resources[synth.logical_id(recordings)]["Properties"]
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": [synth.logical_id(synth.stack.data.key), "Arn"]},
    }
    assert sse["BucketKeyEnabled"] is True
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}


def test_recordings_move_to_infrequent_access_and_old_versions_expire(synth, recordings):
    rules = lifecycle(synth, recordings)
    # The default retention class (90 days) moves to Standard-IA; tests/infra/test_retention.py
    # holds every class.
    assert rules["recordings-90-days"]["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30}
    ]
    assert rules["expire-noncurrent"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_only_functions_listed_for_recordings_reach_them(synth, recordings, spec):
    actions = bucket_actions(synth, spec.name, recordings)
    access = spec.buckets.get("recordings")
    if access is None:
        assert not actions
    elif access == "write":
        assert {"s3:PutObject", "s3:GetObject*"} <= actions
    else:
        assert "s3:GetObject*" in actions and "s3:PutObject" not in actions


def test_call_events_queue_is_encrypted_tls_only_and_parks_poison_messages(synth):
    events = synth.stack.dialer.events
    props = synth.resources[synth.logical_id(events)]["Properties"]
    assert props["KmsMasterKeyId"] == {"Fn::GetAtt": [synth.logical_id(synth.stack.data.key), "Arn"]}
    assert props["RedrivePolicy"]["maxReceiveCount"] == 5
    assert props["VisibilityTimeout"] == 180
    policies = [p["Properties"]["PolicyDocument"]["Statement"] for p in synth.of_type("AWS::SQS::QueuePolicy").values()]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for statements in policies for s in statements)


def test_the_events_worker_consumes_the_queue_and_only_its_senders_know_its_url(synth):
    worker = synth.stack.functions.workers["dialer-events"]
    worker_props = synth.resources[synth.logical_id(worker)]["Properties"]
    assert worker_props["Handler"] == "app.deliver_events"
    queue = synth.logical_id(synth.stack.dialer.events)
    [mapping] = [
        m for m in synth.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    ]
    assert mapping["Properties"]["FunctionName"] == {"Ref": synth.logical_id(worker)}
    for name, function in synth.stack.functions.functions.items():
        env = synth.resources[synth.logical_id(function)]["Properties"]["Environment"]["Variables"]
        # The dialer's call events, and the reports function's call.updated (a lead changed).
        assert ("RINGBACK_EVENTS_QUEUE_URL" in env) == (name in ("dialer", "reports")), name
