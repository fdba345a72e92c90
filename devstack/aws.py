"""moto in server mode, and the resources the CDK app would have created in it."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3

from devstack import template
from devstack.shutdown import child_environment
from ringback.adapters.tables import TableSpec, table_specs
from ringback.settings import Settings

# The moto child answers here with the token it was started with (devstack/moto_server.py).
INSTANCE_PATH = "/_ringback/instance"

# moto accepts any credentials; these keep boto3 from looking for real ones.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}
REGION = "us-east-1"
# moto's default account: ARNs the local stack writes must name it to resolve.
ACCOUNT_ID = "123456789012"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """moto_server as a child process: AWS on 127.0.0.1, state in memory, gone on stop."""

    def __init__(self, port: int, log_path: Path | None = None, lambda_url: str | None = None,
                 enforce_iam: bool = False) -> None:
        self.port = port
        # Hold the functions' STS credentials to their roles' policies (devstack/iam.py).
        self._enforce_iam = enforce_iam
        self.url = f"http://127.0.0.1:{port}"
        self._log_path = log_path
        # Where Lambda Invoke calls from the Step Functions engine go (devstack/lambdas.py).
        self._lambda_url = lambda_url
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> "MotoServer":
        log = open(self._log_path, "ab") if self._log_path else subprocess.DEVNULL
        # Another process may take the port between free_port() and the child's bind; the
        # child answers with this token, so a server that is not ours is never mistaken for it.
        instance = uuid.uuid4().hex
        env = child_environment({**os.environ, **LOCAL_CREDENTIALS, "MOTO_PORT": str(self.port),
                                 "RINGBACK_MOTO_INSTANCE": instance})
        if self._lambda_url:
            env["RINGBACK_LOCAL_LAMBDA_URL"] = self._lambda_url
        if self._enforce_iam:
            env["RINGBACK_ENFORCE_IAM"] = "1"
        self._process = subprocess.Popen(
            [sys.executable, "-m", "devstack.moto_server", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited with {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}{INSTANCE_PATH}", timeout=1) as answer:
                    if answer.read().decode() == instance:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                # State is in memory and goes with the process: nothing is worth waiting for
                # (a running dial workflow's Wait would hold werkzeug's threads).
                self._process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


# The local carrier's account: fixed, so tools and a restarted stack agree on it.
CARRIER_ACCOUNT_SID = "AC" + "10ca1" * 6 + "00"
CARRIER_AUTH_TOKEN = "local-carrier-auth-token"


def local_settings(moto_url: str, public_base_url: str, stage: str = "local", carrier_url: str | None = None) -> Settings:
    return Settings(
        stage=stage,
        region=REGION,
        aws_endpoint_url=moto_url,
        table_prefix=f"ringback-{stage}-",
        recordings_bucket=f"ringback-{stage}-recordings",
        analytics_bucket=f"ringback-{stage}-analytics",
        frontend_bucket=f"ringback-{stage}-frontend",
        public_base_url=public_base_url,
        twilio_account_sid=CARRIER_ACCOUNT_SID if carrier_url else None,
        twilio_auth_token=CARRIER_AUTH_TOKEN if carrier_url else None,
        twilio_api_base_url=carrier_url,
        # Webhook receivers of a local stack (tests, a developer's) listen on 127.0.0.1.
        webhooks_allow_local=True,
    )


def client(service: str, settings: Settings):
    return boto3.client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=LOCAL_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


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
    return names


@dataclass(frozen=True)
class UserPool:
    pool_id: str
    client_id: str
    region: str
    endpoint_url: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        # Real Cognito serves the keys under the issuer; moto serves them under its own host.
        return f"{self.endpoint_url}/{self.pool_id}/.well-known/jwks.json"

    def dashboard_config(self) -> bytes:
        """The dashboard's app/config.json (infra/constructs/edge.py DASHBOARD_CONFIG), as
        the deploy writes it, plus the endpoint the browser reaches Cognito at here."""
        return json.dumps({"region": self.region, "userPoolId": self.pool_id, "clientId": self.client_id,
                           "cognitoEndpoint": self.endpoint_url + "/"}).encode()


# CloudFormation's AWS::Cognito::UserPool properties that CreateUserPool names otherwise,
# and those CloudFormation sets through SetUserPoolMfaConfig after creating the pool.
_POOL_RENAMED = {"UserPoolName": "PoolName"}
_POOL_MFA = {"MfaConfiguration", "EnabledMfas", "EmailAuthenticationMessage", "EmailAuthenticationSubject",
             "WebAuthnRelyingPartyID", "WebAuthnUserVerification"}


def _api_request(cognito, operation: str, properties: dict, resource: str, skip=(), renamed=None) -> dict:
    """An API request from a resource's Properties; a property the API has no place for
    stops the local stack (it would otherwise differ from the deployed pool unseen)."""
    accepted = cognito.meta.service_model.operation_model(operation).input_shape.members
    renamed = renamed or {}
    request, unknown = {}, []
    for name, value in properties.items():
        if name in skip:
            continue
        if renamed.get(name, name) not in accepted:
            unknown.append(name)
        request[renamed.get(name, name)] = value
    if unknown:
        raise RuntimeError(f"{resource} properties the local stack cannot create: {', '.join(unknown)} "
                           f"(map them onto {operation} in devstack/aws.py)")
    return request


def user_pool_request(cognito, properties: dict) -> tuple[dict, dict | None]:
    """CreateUserPool's arguments for an AWS::Cognito::UserPool's Properties, and
    SetUserPoolMfaConfig's (None when MFA is off), as CloudFormation makes the pool."""
    request = _api_request(cognito, "CreateUserPool", properties, "AWS::Cognito::UserPool",
                           skip=_POOL_MFA, renamed=_POOL_RENAMED)
    if properties.get("MfaConfiguration", "OFF") == "OFF":
        return request, None
    enabled = properties.get("EnabledMfas", [])
    mfa: dict = {"MfaConfiguration": properties["MfaConfiguration"]}
    if "SOFTWARE_TOKEN_MFA" in enabled:
        mfa["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if "SMS_MFA" in enabled:
        mfa["SmsMfaConfiguration"] = {"SmsConfiguration": properties.get("SmsConfiguration", {}),
                                      **({"SmsAuthenticationMessage": properties["SmsAuthenticationMessage"]}
                                         if "SmsAuthenticationMessage" in properties else {})}
    if "EMAIL_OTP" in enabled:
        mfa["EmailMfaConfiguration"] = {k: properties[f"EmailAuthentication{k}"] for k in ("Message", "Subject")
                                        if f"EmailAuthentication{k}" in properties}
    if "WebAuthnRelyingPartyID" in properties:
        mfa["WebAuthnConfiguration"] = {"RelyingPartyId": properties["WebAuthnRelyingPartyID"],
                                        **({"UserVerification": properties["WebAuthnUserVerification"]}
                                           if "WebAuthnUserVerification" in properties else {})}
    return request, mfa


def user_pool_client_request(cognito, properties: dict, pool_id: str, logical_id: str) -> dict:
    """CreateUserPoolClient's arguments for an AWS::Cognito::UserPoolClient's Properties,
    in the local pool `pool_id`. CloudFormation names a client the template leaves unnamed."""
    request = _api_request(cognito, "CreateUserPoolClient", properties, "AWS::Cognito::UserPoolClient",
                           skip={"UserPoolId"})
    return {"ClientName": logical_id, **request, "UserPoolId": pool_id}


def _cognito_resources(synthesized: template.Synthesized) -> tuple[tuple[str, dict], tuple[str, dict]]:
    """The template's user pool and its one app client, as (logical id, resource)."""
    resources = synthesized.template["Resources"]
    pools = [(k, r) for k, r in resources.items() if r["Type"] == "AWS::Cognito::UserPool"]
    if len(pools) != 1:
        raise RuntimeError(f"the local stack expects one AWS::Cognito::UserPool in the template, found {len(pools)}")
    clients = [(k, r) for k, r in resources.items() if r["Type"] == "AWS::Cognito::UserPoolClient"
               and r["Properties"].get("UserPoolId") == {"Ref": pools[0][0]}]
    if len(clients) != 1:
        raise RuntimeError(f"the local stack expects one app client on the user pool, found {len(clients)}")
    return pools[0], clients[0]


def create_user_pool(settings: Settings, synthesized: template.Synthesized | None = None) -> UserPool:
    """The dashboard's user pool and its app client, created from the synthesized
    template's AWS::Cognito::UserPool and AWS::Cognito::UserPoolClient (default: the local
    stage's synthesis of infra/, devstack/template.py), so infra/constructs/auth.py is
    what the local pool is. The moto server holds them to it (devstack/cognito/)."""
    synthesized = synthesized or template.synthesized()
    (_, pool_resource), (client_id, client_resource) = _cognito_resources(synthesized)

    def unresolved(what, attribute):
        return None

    def resolved(properties: dict) -> dict:
        return template.resolve(properties, synthesized, unresolved, settings.region, ACCOUNT_ID)

    cognito = client("cognito-idp", settings)
    request, mfa = user_pool_request(cognito, resolved(pool_resource["Properties"]))
    pool = cognito.create_user_pool(**request)["UserPool"]
    if mfa:
        cognito.set_user_pool_mfa_config(UserPoolId=pool["Id"], **mfa)
    properties = {k: v for k, v in client_resource["Properties"].items() if k != "UserPoolId"}
    app_client = cognito.create_user_pool_client(
        **user_pool_client_request(cognito, resolved(properties), pool["Id"], client_id))["UserPoolClient"]
    return UserPool(pool["Id"], app_client["ClientId"], settings.region, settings.aws_endpoint_url)


def create_user(settings: Settings, pool: UserPool, email: str, password: str) -> str:
    """A confirmed user with a verified e-mail; returns its `sub`, the id memberships are keyed by."""
    cognito = client("cognito-idp", settings)
    cognito.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=password, Permanent=True)
    attributes = cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)["UserAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "sub")


def sign_in(settings: Settings, pool: UserPool, email: str, password: str) -> str:
    """An ID token, as the dashboard gets one: with SRP, the only flow its app client allows."""
    from pycognito.aws_srp import AWSSRP

    srp = AWSSRP(username=email, password=password, pool_id=pool.pool_id, client_id=pool.client_id,
                 client=client("cognito-idp", settings))
    return srp.authenticate_user()["AuthenticationResult"]["IdToken"]


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

    value = {"twilio_account_sid": settings.twilio_account_sid or "", "twilio_auth_token": settings.twilio_auth_token or "",
             "analytics_key": secrets.token_urlsafe(36)}
    return client("secretsmanager", settings).create_secret(
        Name=f"ringback-{settings.stage}-app-secrets", SecretString=json.dumps(value))["ARN"]
