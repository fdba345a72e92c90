"""The resources the CDK app would have created, on moto: tables and buckets from the
same definitions CDK synthesizes from, the call-events queue, the dial workflow, the
application secret, the API's usage plans and the distribution."""
from __future__ import annotations

import json

from devstack import template
from devstack.aws.account import ACCOUNT_ID, client
from ringback.adapters.tables import TableSpec, table_specs
from ringback.settings import Settings


def create_table_request(spec: TableSpec, name: str) -> dict:
    """CreateTable arguments for one model: the same TableSpec CDK synthesizes from."""
    keys = [spec.partition] + ([spec.sort] if spec.sort else [])
    attributes = {k.name: k.type for k in keys}
    request: dict = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": spec.partition.name, "KeyType": "HASH"}]
        + ([{"AttributeName": spec.sort.name, "KeyType": "RANGE"}] if spec.sort else []),
        "SSESpecification": {"Enabled": True},
    }
    indexes = []
    for index in spec.indexes:
        attributes[index.partition.name] = index.partition.type
        schema = [{"AttributeName": index.partition.name, "KeyType": "HASH"}]
        if index.sort:
            attributes[index.sort.name] = index.sort.type
            schema.append({"AttributeName": index.sort.name, "KeyType": "RANGE"})
        projection: dict = {"ProjectionType": index.projection}
        if index.non_key_attributes:
            projection["NonKeyAttributes"] = list(index.non_key_attributes)
        indexes.append({"IndexName": index.name, "KeySchema": schema, "Projection": projection})
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if spec.stream_view_type:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": spec.stream_view_type}
    request["AttributeDefinitions"] = [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()]
    return request


def create_tables(settings: Settings) -> list[str]:
    dynamodb = client("dynamodb", settings)
    existing = set(dynamodb.list_tables()["TableNames"])
    created = []
    for spec in table_specs():
        name = settings.table_name(spec.logical_name)
        if name in existing:
            continue
        dynamodb.create_table(**create_table_request(spec, name))
        if spec.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute}
            )
        created.append(name)
    return created


def create_buckets(settings: Settings) -> list[str]:
    s3 = client("s3", settings)
    names = [settings.recordings_bucket, settings.analytics_bucket, settings.frontend_bucket]
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for name in names:
        if name in existing:
            continue
        s3.create_bucket(Bucket=name)
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
            },
        )
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True,
                "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
            },
        )
        if name != settings.frontend_bucket:
            # Versioned, as infra/constructs/data.py's private buckets are: an erasure must
            # remove the old versions here too (ringback.calls.erasure).
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return names


def queue_name(settings: Settings, queue: str) -> str:
    """A queue's local name: "call_events" -> ringback-local-call-events."""
    return f"ringback-{settings.stage}-{queue.replace('_', '-')}"


def create_events_queue(settings: Settings) -> tuple[str, str]:
    """The call-events queue and its dead-letter queue, as infra/constructs/dialer.py
    makes them; returns the queue's URL and ARN."""
    sqs = client("sqs", settings)
    dead = sqs.create_queue(QueueName=queue_name(settings, "call_events_dead"))["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName=queue_name(settings, "call_events"),
        Attributes={
            "VisibilityTimeout": "180",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": "5"}),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def workflow_function_name(settings: Settings) -> str:
    return f"ringback-{settings.stage}-dialer-workflow"


def create_dial_workflow(settings: Settings) -> str:
    """The callback dial state machine, from the definition CDK deploys; returns its ARN.
    Its Lambda tasks name the dialer's workflow worker, which the local Lambda service
    serves under that name."""
    from infra.statemachines import callback_dial_definition

    function_arn = f"arn:aws:lambda:{settings.region}:{ACCOUNT_ID}:function:{workflow_function_name(settings)}"
    sfn = client("stepfunctions", settings)
    return sfn.create_state_machine(
        name=f"ringback-{settings.stage}-callback-dial",
        definition=callback_dial_definition(function_arn),
        roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/ringback-{settings.stage}-callback-dial",
        type="STANDARD",
    )["stateMachineArn"]


def create_app_secrets(settings: Settings) -> str:
    """The application secret as CDK creates it (infra/constructs/data.py), holding the
    local carrier's credentials and an analytics key; returns its ARN. The functions read
    it at start, as in AWS, instead of finding the credentials in their environment."""
    import secrets

    value = {"twilio_account_sid": settings.twilio_account_sid or "",
             "twilio_auth_token": settings.twilio_auth_token or "",
             "analytics_key": secrets.token_urlsafe(36)}
    return client("secretsmanager", settings).create_secret(
        Name=f"ringback-{settings.stage}-app-secrets", SecretString=json.dumps(value))["ARN"]


def create_usage_plans(settings: Settings, synthesized: template.Synthesized) -> dict[str, str]:
    """The API's usage plans and the keys the template gives them (the dashboard users'),
    as CloudFormation creates them (infra/constructs/api.py); returns plan name -> id.
    The pool function then enrolls each tenant API key in its plan (ringback.adapters.usage_plans)."""
    apigateway = client("apigateway", settings)
    resources = synthesized.template["Resources"]
    plans, keys = {}, {}
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::ApiGateway::UsagePlan":
            throttle = {"rateLimit": float(props["Throttle"]["RateLimit"]),
                        "burstLimit": int(props["Throttle"]["BurstLimit"])}
            quota = ({"limit": int(props["Quota"]["Limit"]), "period": props["Quota"]["Period"]}
                     if "Quota" in props else None)
            plans[logical_id] = apigateway.create_usage_plan(
                name=props["UsagePlanName"], description=props.get("Description", ""), throttle=throttle,
                **({"quota": quota} if quota else {}))["id"]
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::ApiGateway::ApiKey":
            keys[logical_id] = apigateway.create_api_key(name=props["Name"], value=props["Value"], enabled=True)["id"]
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::ApiGateway::UsagePlanKey":
            apigateway.create_usage_plan_key(usagePlanId=plans[props["UsagePlanId"]["Ref"]],
                                             keyId=keys[props["KeyId"]["Ref"]], keyType="API_KEY")
    return {resources[logical_id]["Properties"]["UsagePlanName"]: plan for logical_id, plan in plans.items()}


def create_distribution(settings: Settings) -> str:
    """The CloudFront distribution, as far as the functions see it: the one whose cache
    the pool function invalidates when a site changes (ringback.adapters.cloudfront).
    The local gateway plays its behaviours (devstack/edge.py) and reads its
    invalidations back; returns its id."""
    frontend = settings.frontend_bucket or "frontend"
    return client("cloudfront", settings).create_distribution(DistributionConfig={
        "CallerReference": f"ringback-{settings.stage}", "Comment": "Ringback: frontend and API (local)",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "frontend", "DomainName": f"{frontend}.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "frontend", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    })["Distribution"]["Id"]
