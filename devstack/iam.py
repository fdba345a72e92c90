"""IAM on the local AWS endpoint: every request a function makes is allowed or denied by
the policy its role has in the synthesized template, as AWS would.

moto's own enforcement (INITIAL_NO_AUTH_ACTION_COUNT) authorizes DynamoDB, Step
Functions and Secrets Manager requests against the resource "*", which no
least-privilege statement names, and authorizes a transaction as one action. So the
local stack checks here instead, inside the moto server: the caller is found by the
access key that signed the request (SigV4 header or presigned URL); a key that STS issued
for a role (each local function assumes its own, devstack/functions.py) is held to that
role's policies in moto's IAM, evaluated by moto's policy evaluator
(moto.iam.access_control.IAMPolicy) against each (action, resource) the request asks for
(devstack/iam_requests.py). A denial answers as the service answers it, naming the
action and the resource, and is kept for tests at GET /_ringback/iam/denials.

Credentials STS did not issue are the operator's own (the stack's setup, tools, the tests looking
at state): they are not checked, as an administrator's would pass.
"""
from __future__ import annotations

import io
import json
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs

from devstack.iam_requests import ANY, Access, Request, requested_access

DENIALS_PATH = "/_ringback/iam/denials"


@dataclass(frozen=True)
class Denial:
    principal: str
    action: str
    resource: str
    at: float

    @property
    def message(self) -> str:
        return (f"User: {self.principal} is not authorized to perform: {self.action} on resource: "
                f"{self.resource} because no identity-based policy allows the {self.action} action")


class RolePolicies:
    """The role behind an STS access key, and its policies, read from moto's IAM."""

    def __init__(self, account: str) -> None:
        self.account = account
        self._lock = threading.Lock()
        self._by_key: dict[str, tuple[str, list] | None] = {}

    def for_key(self, access_key: str) -> tuple[str, list] | None:
        with self._lock:
            if access_key not in self._by_key:
                self._by_key[access_key] = self._look_up(access_key)
            return self._by_key[access_key]

    def forget(self) -> None:
        """Policies changed (a role's policy was put): read them again on next use."""
        with self._lock:
            self._by_key = {k: v for k, v in self._by_key.items() if v is None}

    def _look_up(self, access_key: str) -> tuple[str, list] | None:
        from moto.iam.access_control import IAMPolicy
        from moto.iam.models import iam_backends
        from moto.sts.models import sts_backends

        assumed = sts_backends[self.account]["aws"].get_assumed_role_from_access_key(access_key)
        if assumed is None:
            return None
        role = iam_backends[self.account]["aws"].get_role_by_arn(assumed.role_arn)
        policies = [IAMPolicy(document if isinstance(document, str) else json.dumps(document))
                    for document in role.policies.values()]
        policies += [IAMPolicy(policy) for policy in role.managed_policies.values()]
        principal = f"arn:aws:sts::{self.account}:assumed-role/{role.name}/{assumed.session_name}"
        return principal, policies


def permitted(policies: list, access: Access) -> bool:
    """Allowed by some statement and denied by none. A resource the request cannot name
    (ANY) is allowed where some statement allows the action on any resource it lists."""
    from moto.iam.access_control import PermissionResult

    candidates = [access.resource] if access.resource != ANY else _statement_resources(policies) or ["*"]
    for resource in candidates:
        results = [p.is_action_permitted(access.action, resource) for p in policies]
        if PermissionResult.DENIED in results:
            return False
        if PermissionResult.PERMITTED in results:
            return True
    return False


def _statement_resources(policies: list) -> list[str]:
    found = []
    for policy in policies:
        statements = policy._policy_json.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            value = statement.get("Resource", [])
            found += value if isinstance(value, list) else [value]
    return found


class EnforceIam:
    """WSGI middleware in front of moto's app."""

    def __init__(self, app, account: str) -> None:
        self._app = app
        self._account = account
        self._roles = RolePolicies(account)
        self.denials: deque[Denial] = deque(maxlen=1000)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == DENIALS_PATH:
            body = json.dumps([{**asdict(d), "message": d.message} for d in self.denials]).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path.startswith("/moto-api"):
            return self._app(environ, start_response)
        request = _request(environ)
        signer = request.signer
        found = self._roles.for_key(signer[0]) if signer else None
        if found is not None:
            principal, policies = found
            for access in requested_access(request, self._account, self._resolve):
                if not permitted(policies, access):
                    denial = Denial(principal, access.action, access.resource, time.time())
                    self.denials.append(denial)
                    print(f"IAM denied: {denial.message}", file=sys.stderr, flush=True)
                    return _refuse(request, denial, start_response)
        if request.headers.get("x-amz-target", "").endswith(("PutRolePolicy", "AttachRolePolicy")) or \
                (parse_qs(request.body.decode("utf-8", "replace")).get("Action") or [""])[0] in (
                    "PutRolePolicy", "AttachRolePolicy", "DeleteRolePolicy", "DetachRolePolicy"):
            self._roles.forget()
        return self._app(environ, start_response)

    def _resolve(self, kind: str, value: str) -> str:
        """ARNs only the server's state knows."""
        try:
            if kind == "secret":
                if value.startswith("arn:"):
                    return value
                from moto.secretsmanager.models import secretsmanager_backends

                for backend in secretsmanager_backends[self._account].values():
                    if value in backend.secrets:
                        return backend.secrets[value].arn
            if kind == "task-token":
                from moto.stepfunctions.models import stepfunctions_backends

                for backend in stepfunctions_backends[self._account].values():
                    for machine in backend.state_machines:
                        for execution in machine.executions:
                            worker = getattr(execution, "exec_worker", None)
                            pool = getattr(getattr(worker, "env", None), "callback_pool_manager", None)
                            if pool is not None and pool.get(value) is not None:
                                return machine.arn
        except Exception:  # noqa: BLE001 - an unknown resource is judged as ANY
            pass
        return ANY


def _request(environ) -> Request:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = b""
    if length:
        body = environ["wsgi.input"].read(length)
        # moto reads the body again. A chunked body (no length: S3 parts from pyarrow's
        # SDK) is left to moto untouched; no decision here needs it.
        environ["wsgi.input"] = io.BytesIO(body)
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return Request(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
                   parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True), headers, body)


def _refuse(request: Request, denial: Denial, start_response):
    """The service's own answer to a denied request, so its client raises as in AWS."""
    request_id = str(uuid.uuid4())
    target = request.headers.get("x-amz-target", "")
    signer = request.signer
    service = signer[2] if signer else "s3"
    if target:
        code = "AccessDenied" if target.startswith("AmazonSQS") else "AccessDeniedException"
        body = json.dumps({"__type": f"com.amazon.coral.service#{code}", "message": denial.message,
                           "Message": denial.message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", code),
                   ("x-amzn-RequestId", request_id)]
        if target.startswith("AmazonSQS"):
            headers.append(("x-amzn-query-error", "AccessDenied;Sender"))
        status = "400 Bad Request"
    elif service == "s3":
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                f"<Message>{_xml(denial.message)}</Message><RequestId>{request_id}</RequestId></Error>").encode()
        headers, status = [("Content-Type", "application/xml")], "403 Forbidden"
    elif service in ("lambda", "apigateway"):  # REST APIs with JSON errors
        body = json.dumps({"Type": "User", "Message": denial.message}).encode()
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "AccessDeniedException")]
        status = "403 Forbidden"
    else:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                f"<Message>{_xml(denial.message)}</Message></Error><RequestId>{request_id}</RequestId>"
                f"</ErrorResponse>").encode()
        headers, status = [("Content-Type", "text/xml")], "403 Forbidden"
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [body]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
