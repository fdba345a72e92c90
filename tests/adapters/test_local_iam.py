"""The local AWS endpoint refuses what IAM would refuse a role: a moto server with the
check on (devstack/iam.py), a role with a narrow policy, its STS credentials, and the
same boto3 calls the functions make. Credentials STS did not issue (the operator's) pass."""
import json
import urllib.request
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack import aws

ACCOUNT = aws.ACCOUNT_ID


@pytest.fixture(scope="module")
def endpoint():
    server = aws.MotoServer(aws.free_port(), enforce_iam=True).start()
    yield server.url
    server.stop()


def admin(endpoint, service):
    return boto3.client(service, endpoint_url=endpoint, region_name=aws.REGION,
                        aws_access_key_id="local", aws_secret_access_key="local")


def as_role(endpoint, statements: list[dict]):
    """A boto3 session holding a new role's credentials, the role allowed `statements`."""
    iam, name = admin(endpoint, "iam"), f"r{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"Service": "lambda.amazonaws.com"}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    issued = admin(endpoint, "sts").assume_role(RoleArn=arn, RoleSessionName="fn")["Credentials"]
    return boto3.Session(aws_access_key_id=issued["AccessKeyId"], aws_secret_access_key=issued["SecretAccessKey"],
                         aws_session_token=issued["SessionToken"], region_name=aws.REGION), name


def table(endpoint, name):
    admin(endpoint, "dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    return f"arn:aws:dynamodb:{aws.REGION}:{ACCOUNT}:table/{name}"


def denial(error: ClientError) -> str:
    return error.value.response["Error"]["Message"]


def test_a_role_reads_the_table_it_is_granted_and_may_not_write_it(endpoint):
    arn = table(endpoint, "granted")
    session, role = as_role(endpoint, [{"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": arn}])
    dynamodb = session.client("dynamodb", endpoint_url=endpoint)
    dynamodb.get_item(TableName="granted", Key={"pk": {"S": "a"}})
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName="granted", Item={"pk": {"S": "a"}})
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    expected = f"assumed-role/{role}/fn is not authorized to perform: dynamodb:PutItem on resource: {arn}"
    assert expected in denial(refused)
    assert admin(endpoint, "dynamodb").get_item(TableName="granted", Key={"pk": {"S": "a"}}).get("Item") is None


def test_a_transaction_needs_each_items_action_on_each_table(endpoint):
    mine, other = table(endpoint, "mine"), table(endpoint, "other")
    session, _ = as_role(endpoint, [{"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": mine}])
    dynamodb = session.client("dynamodb", endpoint_url=endpoint)
    dynamodb.transact_write_items(TransactItems=[{"Put": {"TableName": "mine", "Item": {"pk": {"S": "1"}}}}])
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "mine", "Item": {"pk": {"S": "2"}}}},
            {"Put": {"TableName": "other", "Item": {"pk": {"S": "2"}}}}])
    assert f"dynamodb:PutItem on resource: {other}" in denial(refused)
    assert "Item" not in admin(endpoint, "dynamodb").get_item(TableName="mine", Key={"pk": {"S": "2"}})


def test_a_query_on_an_index_needs_the_index_granted(endpoint):
    arn = table(endpoint, "indexed")
    session, _ = as_role(endpoint, [{"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": arn}])
    with pytest.raises(ClientError) as refused:
        session.client("dynamodb", endpoint_url=endpoint).query(
            TableName="indexed", IndexName="by_x", KeyConditionExpression="x = :x",
            ExpressionAttributeValues={":x": {"S": "1"}})
    assert f"dynamodb:Query on resource: {arn}/index/by_x" in denial(refused)


def test_objects_outside_the_granted_prefix_and_presigned_links_of_a_role_without_read_are_refused(endpoint):
    admin(endpoint, "s3").create_bucket(Bucket="media")
    admin(endpoint, "s3").put_object(Bucket="media", Key="private/a.wav", Body=b"secret")
    session, _ = as_role(endpoint, [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                                     "Resource": "arn:aws:s3:::media/public/*"}])
    s3 = session.client("s3", endpoint_url=endpoint)
    s3.put_object(Bucket="media", Key="public/b.wav", Body=b"ok")
    with pytest.raises(ClientError) as refused:
        s3.get_object(Bucket="media", Key="private/a.wav")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert 's3:GetObject on resource: arn:aws:s3:::media/private/a.wav' in denial(refused)
    granted = s3.generate_presigned_url("get_object", Params={"Bucket": "media", "Key": "public/b.wav"})
    assert urllib.request.urlopen(granted, timeout=30).read() == b"ok"
    refused_link = s3.generate_presigned_url("get_object", Params={"Bucket": "media", "Key": "private/a.wav"})
    with pytest.raises(urllib.error.HTTPError) as http:
        urllib.request.urlopen(refused_link, timeout=30)
    assert http.value.code == 403


def test_a_secret_is_read_only_by_a_role_granted_it(endpoint):
    arn = admin(endpoint, "secretsmanager").create_secret(Name="app", SecretString="{}")["ARN"]
    reader, _ = as_role(endpoint, [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn}])
    other, _ = as_role(endpoint, [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}])
    assert reader.client("secretsmanager", endpoint_url=endpoint).get_secret_value(SecretId=arn)["SecretString"] == "{}"
    with pytest.raises(ClientError) as refused:
        other.client("secretsmanager", endpoint_url=endpoint).get_secret_value(SecretId=arn)
    assert f"secretsmanager:GetSecretValue on resource: {arn}" in denial(refused)


def test_denials_are_listed_for_tests_to_read(endpoint):
    with urllib.request.urlopen(f"{endpoint}/_ringback/iam/denials", timeout=30) as response:
        listed = json.loads(response.read())
    assert any(d["action"] == "dynamodb:PutItem" and d["resource"].endswith("table/granted") for d in listed)
