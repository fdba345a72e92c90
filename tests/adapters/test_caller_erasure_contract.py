"""What an erasure finds and deletes of one caller, for the fakes and for DynamoDB and S3
on moto (ringback.adapters.memory_erasure, dynamo_erasure, s3, parquet_erasure)."""
import uuid

import pytest

from devstack import aws
from ringback.adapters import dynamo, memory
from ringback.adapters.dynamo_erasure import DynamoCallerRecords
from ringback.adapters.dynamo_messages import DynamoMessages
from ringback.adapters.memory_erasure import (
    MemoryCallerRecords,
    MemoryErasableEventFiles,
)
from ringback.analytics import schema
from ringback.callbacks.model import CallbackLeg, CallbackRequest
from ringback.calls.alerts import Message
from ringback.calls.log import CallSummary

NOW = 1_790_000_000_000
ANNA, BORIS = "+14155550011", "+14155550022"


@pytest.fixture(params=["memory", "dynamodb"])
def world(request):
    """(records, call log, callback store, message log)."""
    if request.param == "memory":
        calls, callbacks, messages = memory.MemoryCallLog(), memory.MemoryCallbacks(), memory.MemoryMessages()
        return MemoryCallerRecords(calls, callbacks, messages), calls, callbacks, messages
    request.getfixturevalue("local_aws")
    return DynamoCallerRecords(), dynamo.DynamoCallLog(), dynamo.DynamoCallbacks(), DynamoMessages()


def test_a_callers_calls_requests_and_texts_are_found_in_their_tenant_only(world, uid):
    records, calls, callbacks, messages = world
    shop, other, site = uid("shop"), uid("other"), uid("site")
    calls.add(shop, CallSummary(uid("a1"), site, "+14155550101", ANNA, NOW, "answered", {}))
    calls.add_recording(uid("a1"), "RE1", f"tenants/{shop}/RE1.wav")
    calls.note_alert(uid("a1"), uid("SM1"), {"to": "+14155550999", "status": "sent", "rank": 2})
    calls.add(shop, CallSummary(uid("b1"), site, "+14155550101", BORIS, NOW, "answered", {}))
    calls.add(other, CallSummary(uid("x1"), uid("site-x"), "+14155550101", ANNA, NOW, "answered", {}))
    request = CallbackRequest(uid("r1"), shop, site, ANNA, NOW, updated_at=NOW)
    request.recordings["RE2"] = f"tenants/{shop}/RE2.wav"
    assert callbacks.add(request)
    callbacks.put_leg(CallbackLeg(uid("r1"), "01#visitor#01", "visitor", ANNA, NOW))
    messages.add(Message(uid("SMin"), "received", NOW, shop, site, "text_received", to="+14155550101",
                         sender=ANNA, created_at=NOW))
    messages.add(Message(uid("SMx"), "received", NOW, other, uid("site-x"), "text_received",
                         to="+14155550101", sender=ANNA, created_at=NOW))

    [call] = records.calls_of(shop, ANNA)
    assert (call.call_id, call.recordings, call.messages) == (uid("a1"), (f"tenants/{shop}/RE1.wav",), (uid("SM1"),))
    [found] = records.callback_requests_of(shop, [site], ANNA)
    assert found.request_id == uid("r1") and found.recordings == (f"tenants/{shop}/RE2.wav",)
    # Another tenant naming the shop's site finds nothing of the shop's.
    assert records.callback_requests_of(other, [site], ANNA) == []
    assert records.texts_from(shop, ANNA) == [uid("SMin")]

    assert records.delete_callback_request(uid("r1")) == 1
    assert records.delete_messages([uid("SMin"), uid("SM1"), uid("never")]) == 1
    records.delete_call(uid("a1"))
    assert records.calls_of(shop, ANNA) == [] and calls.get(uid("a1")) is None
    assert callbacks.get(uid("r1")) is None and callbacks.legs_of(uid("r1")) == []
    assert messages.get(uid("SMin")) is None and messages.get(uid("SMx")) is not None
    assert calls.get(uid("b1")) is not None and [c.call_id for c in records.calls_of(other, ANNA)] == [uid("x1")]
    # Again: nothing is there, and nothing fails.
    assert records.delete_callback_request(uid("r1")) == 0
    records.delete_call(uid("a1"))


def _versioned_bucket(settings) -> tuple[object, str]:
    s3 = aws.client("s3", settings)
    name = f"erasure-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return s3, name


def test_an_erased_recording_leaves_no_version_behind(local_aws):
    from ringback.adapters.s3 import S3RecordingStore

    s3, bucket = _versioned_bucket(local_aws)
    store = S3RecordingStore(bucket, client=s3)
    store.put("tenants/t/RE1.wav", b"first", "audio/wav", {"retention-days": "90"})
    store.put("tenants/t/RE1.wav", b"again", "audio/wav", {"retention-days": "90"})
    store.put("tenants/t/RE10.wav", b"another", "audio/wav")
    assert store.tags("tenants/t/RE1.wav") == {"retention-days": "90"}
    assert store.delete("tenants/t/RE1.wav") == 2
    versions = s3.list_object_versions(Bucket=bucket)
    keys = [v["Key"] for v in versions.get("Versions", []) + versions.get("DeleteMarkers", [])]
    assert keys == ["tenants/t/RE10.wav"]  # a key that only begins the same stays
    assert store.delete("tenants/t/RE1.wav") == 0


@pytest.fixture(params=["memory", "s3"])
def event_files(request):
    if request.param == "memory":
        return MemoryErasableEventFiles(), None
    from ringback.adapters.parquet_erasure import ErasableParquetFiles

    settings = request.getfixturevalue("local_aws")
    s3, bucket = _versioned_bucket(settings)
    return ErasableParquetFiles(bucket, settings.region, settings.aws_endpoint_url, client=s3), (s3, bucket)


def test_a_rewritten_analytics_file_keeps_no_older_version(event_files, uid):
    files, real = event_files
    tenant = uid("t")
    files.write(schema.CALLS, tenant, "2026-11-01", "a.parquet", [{"call_id": "c1", "caller_key": "k1"}])
    files.write(schema.CALLS, tenant, "2026-11-01", "a.parquet", [{"call_id": "c2", "caller_key": "k2"}])
    files.write(schema.CALLS, tenant, "2026-11-03", "b.parquet", [{"call_id": "c3", "caller_key": "k1"}])
    files.write(schema.CALLS, uid("other"), "2026-11-02", "c.parquet", [{"call_id": "c4", "caller_key": "k1"}])
    assert files.days_of(schema.CALLS, tenant) == ["2026-11-01", "2026-11-03"]
    files.delete(schema.CALLS, tenant, "2026-11-03", ["b.parquet"])
    files.forget_versions(schema.CALLS, tenant, "2026-11-01", "a.parquet")
    files.forget_versions(schema.CALLS, tenant, "2026-11-03", "b.parquet")
    assert [r["call_id"] for r in files.read(schema.CALLS, tenant, "2026-11-01", "a.parquet")] == ["c2"]
    if real is not None:
        s3, bucket = real
        versions = s3.list_object_versions(Bucket=bucket, Prefix=f"events/calls/tenant_id={tenant}/")
        # (pyarrow leaves a directory marker, "…/dt=2026-11-03/", where a folder emptied.)
        files_left = [v["Key"] for v in versions.get("Versions", []) if not v["Key"].endswith("/")]
        assert [key.rsplit("/", 1)[-1] for key in files_left] == ["a.parquet"]
        assert versions.get("DeleteMarkers", []) == []


@pytest.fixture(params=["memory", "dynamodb"])
def tenants(request):
    if request.param == "memory":
        return memory.MemoryTenants()
    request.getfixturevalue("local_aws")
    from ringback.adapters.dynamo_accounts import DynamoTenants

    return DynamoTenants()


def test_a_tenants_recording_retention_is_kept_and_a_rename_leaves_it(tenants, uid):
    from ringback.accounts.tenants import Tenant

    tenant = Tenant(uid("t"), "Shop")
    assert tenants.create(tenant)
    assert tenants.get(tenant.tenant_id).recording_retention_days == 90
    tenants.set_profile(tenant.tenant_id, "Shop", "customer", 365)
    tenants.set_profile(tenant.tenant_id, "Shop Inc", "customer")
    assert (tenants.get(tenant.tenant_id).name, tenants.get(tenant.tenant_id).recording_retention_days) == (
        "Shop Inc", 365)
