"""The API's authorizer runs locally, as in AWS, with a role of its own: it lets an API key
in (reading the key, noting its use) and may not read the carrier's secret, which the pool
function it belongs to may."""
import boto3
import pytest
from botocore.exceptions import ClientError

from devstack import aws
from tests.support.accounts import call
from tests.support.calls import aws_client
from tests.support.stack import Stack, id_token

pytestmark = pytest.mark.e2e


def as_role(stack, role: str):
    """A session with the credentials a function of the stack runs with (its role's)."""
    issued = aws_client(stack, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{aws.ACCOUNT_ID}:role/{role}", RoleSessionName="test")["Credentials"]
    return boto3.Session(aws_access_key_id=issued["AccessKeyId"], aws_secret_access_key=issued["SecretAccessKey"],
                         aws_session_token=issued["SessionToken"], region_name=aws.REGION)


def test_the_authorizer_lets_keys_in_but_cannot_read_the_carrier_secret(tmp_path):
    stack = Stack(tmp_path)
    try:
        owner = id_token(stack)
        status, key = call(stack, "POST", "/v1/api-keys", owner, {"name": "crm", "access": "read"})
        assert status == 201, key
        status, sites = call(stack, "GET", "/v1/sites", f"Bearer {key['secret']}")
        assert status == 200, sites
        # Its use was noted: the authorizer's role may touch the key it read.
        [listed] = [k for k in call(stack, "GET", "/v1/api-keys", owner)[1]["apiKeys"] if k["keyId"] == key["keyId"]]
        assert listed["lastUsedAt"], listed
        assert not stack.iam_denials()

        secret = aws_client(stack, "secretsmanager").list_secrets()["SecretList"][0]["ARN"]
        as_role(stack, "ringback-local-pool").client(
            "secretsmanager", endpoint_url=stack.moto_url).get_secret_value(SecretId=secret)
        with pytest.raises(ClientError) as refused:
            as_role(stack, "ringback-local-pool-authorizer").client(
                "secretsmanager", endpoint_url=stack.moto_url).get_secret_value(SecretId=secret)
        denials = stack.iam_denials()
    finally:
        stack.stop(expect_denials=True)
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert [(d["action"], "assumed-role/ringback-local-pool-authorizer/" in d["principal"]) for d in denials] == [
        ("secretsmanager:GetSecretValue", True)]
