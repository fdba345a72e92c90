"""The pool's Lambda triggers, run as Cognito runs them (LambdaConfig of the template's
pool, resolved to the local functions by devstack/aws/user_pool.py create_user_pool).

PreSignUp: before a self sign-up (SignUp) and before AdminCreateUser creates a user,
once the request has passed Cognito's own checks (username, password policy), Cognito
invokes the function synchronously with the event below and waits up to 5 seconds. An
error of the function refuses the request with UserLambdaValidationException
"PreSignUp failed with error <errorMessage>."; a function that cannot be run or does not
answer in time refuses it with UnexpectedLambdaException. Here the moto server invokes
the function through the local Lambda service (RINGBACK_LOCAL_LAMBDA_URL,
devstack/lambdas.py), which runs it in its own process with its role's credentials
(devstack/functions.py), as every other function of the local stack runs.

Differences: the event's userName is the Username of the request (Cognito names a pool
whose username is the e-mail by the user's new sub), and the response's autoConfirmUser,
autoVerifyEmail and autoVerifyPhone are not applied (our trigger sets none). A moto
server started without a Lambda service (the adapter tests' own, which run no function)
has nothing to run a trigger with: it creates the user without it, and logs that.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from devstack.cognito.errors import (
    UnexpectedLambdaException,
    UserLambdaValidationException,
)

SIGN_UP = "PreSignUp_SignUp"
ADMIN_CREATE_USER = "PreSignUp_AdminCreateUser"
# How long Cognito waits for a trigger.
TRIGGER_SECONDS = 5


def pre_sign_up(pool, source: str, username: str, attributes: list[dict], client_id: str | None = None,
                validation_data: list[dict] | None = None, client_metadata: dict | None = None) -> None:
    """Run the pool's PreSignUp trigger, if it has one; raise as Cognito answers a refusal."""
    target = (pool.extended_config.get("LambdaConfig") or {}).get("PreSignUp")
    if not target:
        return
    event = {
        "version": "1",
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown",
                          "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE"},
        "triggerSource": source,
        "request": {
            "userAttributes": {a["Name"]: a["Value"] for a in attributes or [] if "Name" in a},
            "validationData": {v["Name"]: v.get("Value") for v in validation_data} if validation_data else None,
            **({"clientMetadata": client_metadata} if client_metadata else {}),
        },
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }
    failed, answer = _invoke(target, event)
    if failed:
        raise UserLambdaValidationException(f"PreSignUp failed with error {answer.get('errorMessage', '')}.")


def _invoke(target: str, event: dict) -> tuple[bool, dict]:
    """(whether the function failed, its answer), through the local Lambda service."""
    service = os.environ.get("RINGBACK_LOCAL_LAMBDA_URL")
    if not service:
        print(f"cognito: no Lambda service here, PreSignUp trigger {target} not run", file=sys.stderr, flush=True)
        return False, event
    url = f"{service}/2015-03-31/functions/{urllib.parse.quote(target, safe='')}/invocations"
    request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TRIGGER_SECONDS) as answer:
            payload = json.loads(answer.read() or b"null")
            failed = bool(answer.headers.get("X-Amz-Function-Error"))
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        # Not found, not reachable, too slow, or an answer that is not JSON.
        raise UnexpectedLambdaException(f"PreSignUp invocation failed due to error {error}.") from None
    if not isinstance(payload, dict):
        raise UnexpectedLambdaException("PreSignUp invocation failed due to error Unexpected lambda output.")
    return failed, payload
