"""Users, tokens and API keys on a local stack, as a customer gets them."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import boto3
import pytest

from devstack import aws
from tests.support.stack import EVENT_SECONDS, REQUEST_SECONDS

PASSWORD = "Plumb-1ng-Works!"


def stack_settings(stack):
    return aws.local_settings(stack.moto_url, stack.url, carrier_url=stack.carrier_url)


def user_pool(stack) -> aws.UserPool:
    return aws.UserPool(stack.user_pool_id, stack.client_id, aws.REGION, stack.moto_url)


def new_user_token(stack, email: str, password: str = "Str0ng-Passw0rd!") -> str:
    """A confirmed user of the stack's pool, signed in: their ID token."""
    settings = stack_settings(stack)
    aws.create_user(settings, user_pool(stack), email, password)
    return aws.sign_in(settings, user_pool(stack), email, password)


def call(stack, method: str, path: str, token: str | None = None, body=None, tenant: str | None = None,
         if_match: str | None = None):
    """(status, parsed JSON or raw bytes) of one API request."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    if tenant:
        headers["X-Tenant-Id"] = tenant
    if if_match:
        headers["If-Match"] = if_match
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{stack.url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw


def etag_of(stack, path: str, token: str) -> str:
    """The ETag a client reads before a write (sent back as If-Match)."""
    request = urllib.request.Request(f"{stack.url}{path}", headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers["ETag"]


def cognito(stack):
    # A browser's calls to Cognito are unsigned; the client needs no AWS credentials.
    return boto3.client("cognito-idp", endpoint_url=stack.moto_url, region_name=aws.REGION,
                        aws_access_key_id="none", aws_secret_access_key="none")


def code_sent_to(stack, email: str) -> str:
    deadline = time.monotonic() + EVENT_SECONDS
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{stack.moto_url}/_local/mailbox?to={email}", timeout=REQUEST_SECONDS) as answer:
            messages = json.loads(answer.read())
        if messages and messages[-1]["code"]:
            return messages[-1]["code"]
        time.sleep(0.1)
    pytest.fail(f"no code reached {email}")


def sign_up(stack, email: str) -> str:
    """Self sign-up as a new user does it: the code comes by (local) e-mail; a wrong one
    is refused; then an SRP sign-in gives their ID token."""
    idp = cognito(stack)
    idp.sign_up(ClientId=stack.client_id, Username=email, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])
    code = code_sent_to(stack, email)
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.confirm_sign_up(ClientId=stack.client_id, Username=email, ConfirmationCode="000000" if code != "000000"
                            else "111111")
    idp.confirm_sign_up(ClientId=stack.client_id, Username=email, ConfirmationCode=code)
    return aws.sign_in(stack_settings(stack), user_pool(stack), email, PASSWORD)



def accept_invitation(stack, email: str, password: str = PASSWORD) -> str:
    """An invitee's first sign-in, as the dashboard makes it: SRP with the temporary
    password their invitation e-mailed (the local mailbox), to which Cognito answers
    NEW_PASSWORD_REQUIRED; answered with a password of their own, their ID token."""
    from pycognito.aws_srp import AWSSRP

    idp = cognito(stack)
    srp = AWSSRP(username=email, password=code_sent_to(stack, email), pool_id=stack.user_pool_id,
                 client_id=stack.client_id, client=idp)
    parameters = srp.get_auth_params()
    challenge = idp.initiate_auth(ClientId=stack.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=parameters)
    answer = idp.respond_to_auth_challenge(ClientId=stack.client_id, ChallengeName="PASSWORD_VERIFIER",
                                           ChallengeResponses=srp.process_challenge(challenge["ChallengeParameters"],
                                                                                    parameters))
    assert answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED", answer
    tokens = idp.respond_to_auth_challenge(
        ClientId=stack.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=answer["Session"],
        ChallengeResponses={"USERNAME": challenge["ChallengeParameters"]["USERNAME"], "NEW_PASSWORD": password})
    return tokens["AuthenticationResult"]["IdToken"]
