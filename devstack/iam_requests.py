"""What an AWS request asks IAM for: the caller's access key, and each (action, resource)
that AWS authorizes it as.

AWS authorizes some requests as several actions: a TransactWriteItems is one PutItem,
UpdateItem, DeleteItem or ConditionCheckItem per item, each on its own table; a
CopyObject is a GetObject on the source and a PutObject on the target; a Query on an
index is authorized on `table/T/index/I`. The names here follow the Service
Authorization Reference for the services the functions call. A resource that cannot be
named from the request alone is ANY (see devstack/iam.py for how it is judged).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

ANY = "<any>"

_CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_JSON_TARGET = {
    "DynamoDB_20120810": "dynamodb",
    "DynamoDBStreams_20120810": "dynamodb",
    "AWSStepFunctions": "states",
    "secretsmanager": "secretsmanager",
    "AmazonSQS": "sqs",
    "TrentService": "kms",
    "AWSCognitoIdentityProviderService": "cognito-idp",
    "AmazonAthena": "athena",
    "AWSGlue": "glue",
    "Logs_20140328": "logs",
    "AWSEvents": "events",
}


@dataclass(frozen=True)
class Access:
    action: str
    resource: str


@dataclass(frozen=True)
class Request:
    """An AWS API request as the local endpoint received it."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    @property
    def signer(self) -> tuple[str, str, str] | None:
        """(access key id, region, service) from SigV4's header or a presigned URL."""
        found = _CREDENTIAL.search(self.headers.get("authorization", ""))
        if found:
            return found.group(1), found.group(2), found.group(3)
        credential = (self.query.get("X-Amz-Credential") or [""])[0]
        parts = credential.split("/")
        if len(parts) == 5:
            return parts[0], parts[2], parts[3]
        # S3's older signature, which boto3 still uses for presigned links.
        legacy = (self.query.get("AWSAccessKeyId") or [""])[0]
        header = self.headers.get("authorization", "")
        if not legacy and header.startswith("AWS "):
            legacy = header[4:].split(":", 1)[0]
        return (legacy, "us-east-1", "s3") if legacy else None


# A resolver turns what a request names into the ARN IAM sees, where only the server's
# state knows it (a secret's full ARN, the state machine a task token belongs to).
Resolver = Callable[[str, str], str]


def requested_access(request: Request, account: str, resolve: Resolver) -> list[Access]:
    signer = request.signer
    region, service = (signer[1], signer[2]) if signer else ("us-east-1", "")
    target = request.headers.get("x-amz-target", "")
    if service == "s3":
        return _s3(request)
    if service == "cloudfront":
        return _cloudfront(request, account)
    if service == "apigateway":
        # A REST API: API Gateway authorizes each request as apigateway:<HTTP method> on
        # the path it names (e.g. POST arn:aws:apigateway:REGION::/usageplans/ID/keys).
        path = unquote(request.path.split("?", 1)[0])
        return [Access(f"apigateway:{request.method}", f"arn:aws:apigateway:{region}::{path}")]
    if target:
        prefix, _, operation = target.partition(".")
        service = _JSON_TARGET.get(prefix, service)
        body = _json(request.body)
        handler = _JSON_SERVICES.get(service)
        if handler is not None:
            return handler(operation, body, _Arns(region, account), resolve)
        return [Access(f"{service}:{operation}", ANY)]
    form = _form(request)
    action = (form.get("Action") or [""])[0]
    if service == "sts" and action == "AssumeRole":
        return [Access("sts:AssumeRole", (form.get("RoleArn") or [ANY])[0])]
    if service == "sts" and action == "GetCallerIdentity":
        return []  # AWS answers it for any valid credentials, whatever the policy says
    if service == "lambda":
        name = request.path.split("/functions/", 1)[-1].split("/", 1)[0]
        return [Access("lambda:InvokeFunction", _Arns(region, account).function(unquote(name)))]
    if service == "sqs" and action:
        url = (form.get("QueueUrl") or [""])[0]
        return [Access(f"sqs:{action}", _Arns(region, account).queue(url) if url else ANY)]
    return [Access(f"{service}:{action}", ANY)] if action else []


class _Arns:
    def __init__(self, region: str, account: str) -> None:
        self.region, self.account = region, account

    def table(self, name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    def queue(self, url: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{url.rstrip('/').rsplit('/', 1)[-1]}"

    def function(self, name: str) -> str:
        if name.startswith("arn:"):
            return name
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{name}"

    def user_pool(self, pool_id: str) -> str:
        return f"arn:aws:cognito-idp:{self.region}:{self.account}:userpool/{pool_id}"


def _cloudfront(request: Request, account: str) -> list[Access]:
    """CloudFront's REST API (/2020-05-31/distribution/ID/invalidation[/ID]): each
    invalidation action on the distribution it names, as the Service Authorization
    Reference lists them."""
    path = unquote(request.path.split("?", 1)[0]).strip("/").split("/")
    if len(path) >= 3 and path[1] == "distribution":
        arn = f"arn:aws:cloudfront::{account}:distribution/{path[2]}"
        if len(path) >= 4 and path[3] == "invalidation":
            action = "CreateInvalidation" if request.method == "POST" else \
                "GetInvalidation" if len(path) > 4 else "ListInvalidations"
            return [Access(f"cloudfront:{action}", arn)]
        return [Access(f"cloudfront:{'GetDistribution' if request.method == 'GET' else 'UpdateDistribution'}", arn)]
    return [Access(f"cloudfront:{request.method}", ANY)]


_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
             "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def _dynamodb(operation: str, body: dict, arns: _Arns, resolve: Resolver) -> list[Access]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            Access(f"dynamodb:{_TRANSACT[kind]}", arns.table(op.get("TableName", "")))
            for item in body.get("TransactItems", []) for kind, op in item.items() if kind in _TRANSACT
        ]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Access(f"dynamodb:{operation}", arns.table(name)) for name in body.get("RequestItems", {})]
    if operation in ("DescribeStream", "GetShardIterator"):
        return [Access(f"dynamodb:{operation}", body.get("StreamArn", ANY))]
    if operation == "GetRecords":
        # moto's shard iterator begins with its stream's ARN.
        return [Access("dynamodb:GetRecords", body.get("ShardIterator", ANY).split("|", 1)[0])]
    if operation in ("ListTables", "ListStreams", "DescribeLimits", "DescribeEndpoints"):
        return [Access(f"dynamodb:{operation}", "*")]
    if "ResourceArn" in body:
        return [Access(f"dynamodb:{operation}", body["ResourceArn"])]
    return [Access(f"dynamodb:{operation}", arns.table(body.get("TableName", ""), body.get("IndexName")))]


def _states(operation: str, body: dict, arns: _Arns, resolve: Resolver) -> list[Access]:
    if operation.startswith("SendTask"):
        return [Access(f"states:{operation}", resolve("task-token", body.get("taskToken", "")))]
    for key in ("executionArn", "stateMachineArn", "activityArn", "resourceArn"):
        if key in body:
            return [Access(f"states:{operation}", body[key])]
    return [Access(f"states:{operation}", "*")]


def _secretsmanager(operation: str, body: dict, arns: _Arns, resolve: Resolver) -> list[Access]:
    secret = body.get("SecretId")
    return [Access(f"secretsmanager:{operation}", resolve("secret", secret) if secret else "*")]


def _sqs(operation: str, body: dict, arns: _Arns, resolve: Resolver) -> list[Access]:
    url = body.get("QueueUrl")
    if operation == "CreateQueue":
        return [Access("sqs:CreateQueue", arns.queue(body.get("QueueName", "")))]
    return [Access(f"sqs:{operation}", arns.queue(url) if url else "*")]


def _kms(operation: str, body: dict, arns: _Arns, resolve: Resolver) -> list[Access]:
    key = body.get("KeyId")
    return [Access(f"kms:{operation}", key if key and key.startswith("arn:") else ANY)]


def _cognito(operation: str, body: dict, arns: _Arns, resolve: Resolver) -> list[Access]:
    pool = body.get("UserPoolId")
    return [Access(f"cognito-idp:{operation}", arns.user_pool(pool) if pool else ANY)]


_JSON_SERVICES = {"dynamodb": _dynamodb, "states": _states, "secretsmanager": _secretsmanager, "sqs": _sqs,
                  "kms": _kms, "cognito-idp": _cognito}


def _s3(request: Request) -> list[Access]:
    path = unquote(request.path.split("?", 1)[0]).lstrip("/")
    bucket, _, key = path.partition("/")
    query, method = request.query, request.method
    if not bucket:
        return [Access("s3:ListAllMyBuckets", "*")]
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if not key:
        if method == "GET" and "location" in query:
            action = "s3:GetBucketLocation"
        elif method in ("GET", "HEAD") and "versions" in query:
            action = "s3:ListBucketVersions"
        elif method == "GET" and "uploads" in query:
            action = "s3:ListBucketMultipartUploads"
        elif method in ("GET", "HEAD"):
            action = "s3:ListBucket"
        elif method == "POST" and "delete" in query:
            # DeleteObjects is authorized as s3:DeleteObject on each key it names.
            keys = re.findall(rb"<Key>([^<]*)</Key>", request.body)
            return [Access("s3:DeleteObject", f"{bucket_arn}/{k.decode()}") for k in keys] or [
                Access("s3:DeleteObject", f"{bucket_arn}/*")]
        elif method == "PUT":
            action = "s3:CreateBucket" if not query else f"s3:PutBucket{_first(query).capitalize()}"
        elif method == "DELETE":
            action = "s3:DeleteBucket"
        else:
            action = f"s3:{method}Bucket"
        return [Access(action, bucket_arn)]
    object_arn = f"{bucket_arn}/{key}"
    if method in ("GET", "HEAD"):
        if "uploadId" in query:
            return [Access("s3:ListMultipartUploadParts", object_arn)]
        if "tagging" in query:
            return [Access("s3:GetObjectTagging", object_arn)]
        return [Access("s3:GetObjectVersion" if "versionId" in query else "s3:GetObject", object_arn)]
    if method == "PUT":
        source = request.headers.get("x-amz-copy-source")
        accesses = [Access("s3:PutObjectTagging" if "tagging" in query else "s3:PutObject", object_arn)]
        if "tagging" not in query and request.headers.get("x-amz-tagging"):
            # An upload that carries tags needs the tagging permission as well, as in AWS.
            accesses.append(Access("s3:PutObjectTagging", object_arn))
        if source:
            accesses.append(Access("s3:GetObject", f"arn:aws:s3:::{unquote(source).lstrip('/').split('?', 1)[0]}"))
        return accesses
    if method == "POST":
        return [Access("s3:PutObject", object_arn)]  # multipart create and complete
    if method == "DELETE":
        if "uploadId" in query:
            return [Access("s3:AbortMultipartUpload", object_arn)]
        return [Access("s3:DeleteObjectVersion" if "versionId" in query else "s3:DeleteObject", object_arn)]
    return [Access(f"s3:{method}Object", object_arn)]


def _first(query: Mapping[str, list[str]]) -> str:
    return next(iter(query), "")


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _form(request: Request) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    form = dict(request.query)
    if request.body and "x-www-form-urlencoded" in request.headers.get("content-type", ""):
        form.update(parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    return form
