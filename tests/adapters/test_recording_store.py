"""The recording store's contract, for the fake and for S3 on moto."""
import urllib.request

import pytest

from devstack import aws
from ringback.adapters.memory import MemoryRecordingStore
from ringback.adapters.s3 import S3RecordingStore


@pytest.fixture(params=["memory", "s3"])
def store(request):
    if request.param == "memory":
        return MemoryRecordingStore()
    settings = request.getfixturevalue("local_aws")
    return S3RecordingStore(settings.recordings_bucket, client=aws.client("s3", settings))


def test_a_stored_recording_reads_back_and_exists(store, uid):
    key = f"tenants/{uid('t')}/recordings/2027/01/15/call/RE1.wav"
    assert not store.exists(key)
    store.put(key, b"RIFF-audio", "audio/wav")
    assert store.exists(key) and store.get(key) == b"RIFF-audio"
    assert "RE1.wav" in store.presign(key, 300)


def test_an_s3_link_downloads_the_recording_encrypted_at_rest(local_aws, uid):
    client = aws.client("s3", local_aws)
    store = S3RecordingStore(local_aws.recordings_bucket, client=client)
    key = f"tenants/{uid('t')}/recordings/x/RE2.wav"
    store.put(key, b"RIFF-more-audio", "audio/wav")
    assert client.head_object(Bucket=local_aws.recordings_bucket, Key=key)["ServerSideEncryption"] == "aws:kms"
    with urllib.request.urlopen(store.presign(key, 300), timeout=10) as response:
        assert response.read() == b"RIFF-more-audio"


def test_the_functions_read_the_carriers_credentials_from_the_app_secret(local_aws):
    import dataclasses

    from devstack import aws
    from ringback.bootstrap import build_services

    arn = aws.create_app_secrets(dataclasses.replace(local_aws, stage=local_aws.stage + "s",
                                                     twilio_account_sid="AC9", twilio_auth_token="secret-token"))
    settings = dataclasses.replace(local_aws, secrets_arn=arn, twilio_account_sid=None, twilio_auth_token=None)
    services = build_services(settings)
    assert services.settings.twilio_auth_token == "secret-token" and services.settings.twilio_account_sid == "AC9"
    assert len(services.settings.analytics_key) >= 40
