"""The dashboard's Cognito user pool on moto, created from the synthesized template as
CloudFormation creates it, and its users: created, and signed in as the dashboard signs in."""
from __future__ import annotations

import json
from dataclasses import dataclass

from devstack import template
from devstack.aws.account import ACCOUNT_ID, client
from ringback.settings import Settings


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
                           f"(map them onto {operation} in devstack/aws/user_pool.py)")
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

    def local_functions(what, attribute):
        # The pool's triggers (LambdaConfig) name local functions, which the local Lambda
        # service serves by name (devstack/lambdas.py); the pool names nothing else.
        if what["kind"] == "function" and attribute == "Arn":
            from devstack.functions import function_name

            base, _, worker = what["name"].partition("-")
            name = function_name(settings, base, worker or None)
            return f"arn:aws:lambda:{settings.region}:{ACCOUNT_ID}:function:{name}"
        return None

    def resolved(properties: dict) -> dict:
        return template.resolve(properties, synthesized, local_functions, settings.region, ACCOUNT_ID)

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
