"""The local AWS endpoint holds the S3 calls of retention and erasure to IAM as AWS does: a
tagged upload needs s3:PutObjectTagging too, and deleting an old version needs
s3:DeleteObjectVersion (what ringback.adapters.s3 and parquet_erasure send)."""
import pytest
from botocore.exceptions import ClientError

from devstack import aws
from tests.adapters.test_local_iam import admin, as_role, denial


@pytest.fixture(scope="module")
def endpoint():
    server = aws.MotoServer(aws.free_port(), enforce_iam=True).start()
    yield server.url
    server.stop()


def test_a_tagged_upload_needs_the_tagging_permission_as_well(endpoint):
    admin(endpoint, "s3").create_bucket(Bucket="tagged")
    untagging, _ = as_role(endpoint, [{"Effect": "Allow", "Action": ["s3:PutObject"],
                                       "Resource": "arn:aws:s3:::tagged/*"}])
    s3 = untagging.client("s3", endpoint_url=endpoint)
    s3.put_object(Bucket="tagged", Key="plain.wav", Body=b"ok")
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="tagged", Key="a.wav", Body=b"x", Tagging="retention-days=90")
    assert "s3:PutObjectTagging on resource: arn:aws:s3:::tagged/a.wav" in denial(refused)
    tagging, _ = as_role(endpoint, [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectTagging"],
                                     "Resource": "arn:aws:s3:::tagged/*"}])
    tagging.client("s3", endpoint_url=endpoint).put_object(Bucket="tagged", Key="a.wav", Body=b"x",
                                                           Tagging="retention-days=90")
    tags = admin(endpoint, "s3").get_object_tagging(Bucket="tagged", Key="a.wav")["TagSet"]
    assert tags == [{"Key": "retention-days", "Value": "90"}]


def test_deleting_an_old_version_needs_the_version_permission(endpoint):
    s3_admin = admin(endpoint, "s3")
    s3_admin.create_bucket(Bucket="versioned")
    s3_admin.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    first = s3_admin.put_object(Bucket="versioned", Key="r.wav", Body=b"1")["VersionId"]
    s3_admin.put_object(Bucket="versioned", Key="r.wav", Body=b"2")
    deleter, _ = as_role(endpoint, [{"Effect": "Allow", "Action": ["s3:DeleteObject"],
                                     "Resource": "arn:aws:s3:::versioned/*"}])
    with pytest.raises(ClientError) as refused:
        deleter.client("s3", endpoint_url=endpoint).delete_object(Bucket="versioned", Key="r.wav", VersionId=first)
    assert "s3:DeleteObjectVersion on resource: arn:aws:s3:::versioned/r.wav" in denial(refused)
