"""DataConstruct: tables that survive mistakes and are encrypted with our key, and the
access-logs bucket every other bucket reports to."""
from __future__ import annotations

from ringback.adapters.tables import table_specs
from tests.infra.policies import as_list, function_resource, statements


def _tables(synth) -> dict[str, dict]:
    return {t["Properties"]["TableName"]: t for t in synth.of_type("AWS::DynamoDB::Table").values()}


def test_every_model_has_exactly_one_table_named_with_the_stage_prefix(synth):
    names = set(_tables(synth))
    assert names == {f"ringback-prod-{spec.logical_name}" for spec in table_specs()}


def test_tables_are_on_demand_with_pitr_and_encrypted_with_the_data_key(synth):
    key_id = synth.logical_id(synth.stack.data.key)
    for name, table in _tables(synth).items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props["SSESpecification"] == {
            "SSEEnabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]},
        }, name


def test_production_tables_cannot_be_deleted_by_a_stack_change(synth):
    for name, table in _tables(synth).items():
        assert table["Properties"]["DeletionProtectionEnabled"] is True, name
        assert table["DeletionPolicy"] == "Retain", name
        assert table["UpdateReplacePolicy"] == "Retain", name


def test_expiring_records_have_ttl_on_their_model_attribute(synth):
    tables = _tables(synth)
    for spec in table_specs():
        ttl = tables[f"ringback-prod-{spec.logical_name}"]["Properties"].get("TimeToLiveSpecification")
        if spec.ttl_attribute:
            assert ttl == {"AttributeName": spec.ttl_attribute, "Enabled": True}, spec.logical_name
        else:
            assert ttl is None, spec.logical_name


def test_data_key_rotates(synth):
    key = synth.resources[synth.logical_id(synth.stack.data.key)]
    assert key["Properties"]["EnableKeyRotation"] is True


def test_every_bucket_blocks_public_access_and_is_encrypted(synth):
    buckets = synth.of_type("AWS::S3::Bucket")
    assert len(buckets) >= 4  # access logs, recordings, analytics, frontend
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, name
        sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("aws:kms", "AES256"), name


def test_every_bucket_refuses_plain_http(synth):
    policies = {
        p["Properties"]["Bucket"]["Ref"]: p["Properties"]["PolicyDocument"]["Statement"]
        for p in synth.of_type("AWS::S3::BucketPolicy").values()
    }
    for name in synth.of_type("AWS::S3::Bucket"):
        denies_http = [
            s for s in policies.get(name, [])
            if s["Effect"] == "Deny"
            and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        ]
        assert denies_http, f"{name} has no TLS-only statement"


def test_other_buckets_log_to_the_access_logs_bucket(synth):
    access_logs = synth.logical_id(synth.stack.data.access_logs)
    for name, bucket in synth.of_type("AWS::S3::Bucket").items():
        if name == access_logs:
            continue
        logging = bucket["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == {"Ref": access_logs}, name
        assert logging["LogFilePrefix"].startswith("s3/"), name


def test_access_logs_bucket_accepts_cloudfront_standard_logs(synth):
    # CloudFront standard logging writes through ACLs and only to SSE-S3 buckets.
    bucket = synth.resources[synth.logical_id(synth.stack.data.access_logs)]["Properties"]
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_the_app_secret_is_encrypted_with_the_data_key_and_readable_by_the_dialer_pool_and_reports_only(synth):
    secret_id = synth.logical_id(synth.stack.data.app_secrets)
    secret = synth.of_type("AWS::SecretsManager::Secret")[secret_id]["Properties"]
    assert secret["KmsKeyId"] == {"Fn::GetAtt": [synth.logical_id(synth.stack.data.key), "Arn"]}
    assert secret["GenerateSecretString"]["GenerateStringKey"] == "analytics_key"
    for name in ("widget", "pool", "dialer", "reports"):
        readers = [s for s in statements(synth, name)
                   if "secretsmanager:GetSecretValue" in as_list(s["Action"]) and s["Resource"] == {"Ref": secret_id}]
        # The pool function buys tracking numbers from the carrier (ringback.accounts.number_shop).
        assert bool(readers) == (name in ("pool", "dialer", "reports")), name
        env = function_resource(synth, name)["Properties"]["Environment"]["Variables"]
        # Told where the secret is only where it may be read: a widget that was told
        # would fail every request in AWS reading it at its cold start.
        assert env.get("RINGBACK_SECRETS_ARN") == ({"Ref": secret_id} if readers else None), name
        assert "RINGBACK_TWILIO_AUTH_TOKEN" not in env, name
