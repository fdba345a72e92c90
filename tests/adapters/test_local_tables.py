"""The local stack creates each table exactly as its model describes it."""
from devstack import aws
from ringback.adapters.tables import table_specs


def test_every_model_becomes_a_table_with_its_keys_indexes_and_ttl(local_aws):
    dynamodb = aws.client("dynamodb", local_aws)
    for spec in table_specs():
        name = local_aws.table_name(spec.logical_name)
        table = dynamodb.describe_table(TableName=name)["Table"]
        keys = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
        expected = {spec.partition.name: "HASH", **({spec.sort.name: "RANGE"} if spec.sort else {})}
        assert keys == expected, name
        indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i.name for i in spec.indexes}, name
        for index in spec.indexes:
            got = indexes[index.name]
            assert got["KeySchema"][0] == {"AttributeName": index.partition.name, "KeyType": "HASH"}
            assert got["Projection"]["ProjectionType"] == index.projection
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if spec.ttl_attribute:
            assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": spec.ttl_attribute}, name
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED", name
        assert table.get("StreamSpecification", {}).get("StreamViewType") == spec.stream_view_type, name


def test_buckets_are_private_and_encrypted(local_aws):
    s3 = aws.client("s3", local_aws)
    for bucket in (local_aws.recordings_bucket, local_aws.analytics_bucket, local_aws.frontend_bucket):
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values())
