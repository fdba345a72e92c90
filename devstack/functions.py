"""Each function of infra/catalog.py as its own local Lambda: its own process, the
environment CDK gives it (infra.catalog.function_environment), and credentials of its
own role, which holds exactly the policy the synthesized template gives that role
(devstack/template.py), resolved to the local resources. The moto server checks every
request against it (devstack/iam.py).

A function's process serves Lambda's Invoke API (devstack/function_host.py) for its
Chalice app (API Gateway proxy events) and its workers (queue, stream, schedule and
workflow events), as the functions of the same name do in AWS. A worker the catalog gives
a role of its own (the authorizer: infra.catalog worker_tables) is a process of its own,
with that role's credentials and its own environment, so locally too it can do no more
than that role allows.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from devstack import aws
from devstack.shutdown import child_environment
from devstack.template import Synthesized, resolve
from ringback.settings import Settings

if TYPE_CHECKING:
    from infra.catalog import FunctionSpec

REPO = Path(__file__).resolve().parent.parent
# What a Lambda sandbox's environment has besides the function's own variables.
_BASE_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONDONTWRITEBYTECODE",
                     "POWERTOOLS_TRACE_DISABLED", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


class FunctionError(Exception):
    """A function's handler raised: Lambda's X-Amz-Function-Error."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type, self.error_message = error_type, message


def function_name(settings: Settings, name: str, worker: str | None = None) -> str:
    return f"ringback-{settings.stage}-{name}" + (f"-{worker}" if worker else "")


def role_name(settings: Settings, name: str) -> str:
    return f"ringback-{settings.stage}-{name}"


@dataclass
class _Host:
    name: str
    process: subprocess.Popen
    url: str | None = None
    starting: threading.Lock = field(default_factory=threading.Lock)


class LocalFunctions:
    def __init__(self, settings: Settings, synthesized: Synthesized, specs, log_dir: Path) -> None:
        self._settings = settings
        self._synthesized = synthesized
        self._log_dir = log_dir
        self._hosts: dict[str, _Host] = {}
        # What runs as a process of its own, with a role of its own: each function (with
        # the workers that share its role) and each worker the catalog gives a role of its
        # own ("pool-authorizer") -> (its function, that worker or None).
        self._units: dict[str, tuple[FunctionSpec, str | None]] = {}
        # Lambda function name -> the unit whose process serves it.
        self.served_by: dict[str, str] = {}
        for spec in specs:
            self._units[spec.name] = (spec, None)
            self.served_by[function_name(settings, spec.name)] = spec.name
            for worker in spec.workers:
                unit = f"{spec.name}-{worker}" if worker in spec.worker_tables else spec.name
                if unit != spec.name:
                    self._units[unit] = (spec, worker)
                self.served_by[function_name(settings, spec.name, worker)] = unit

    # -- roles -----------------------------------------------------------------------

    def policy_document(self, name: str) -> dict:
        """The function role's statements from the template, resolved locally."""
        statements = resolve(self._synthesized.role_statements(name), self._synthesized, self._physical,
                             self._settings.region, aws.ACCOUNT_ID)
        return {"Version": "2012-10-17", "Statement": statements}

    def _physical(self, what: dict, attribute: str) -> str | None:
        settings, region, account = self._settings, self._settings.region, aws.ACCOUNT_ID
        kind, name = what["kind"], what["name"]
        if kind == "table":
            table = settings.table_name(name)
            if attribute == "StreamArn":
                return aws.client("dynamodb", settings).describe_table(TableName=table)["Table"].get("LatestStreamArn")
            return table if attribute == "Ref" else f"arn:aws:dynamodb:{region}:{account}:table/{table}"
        if kind == "bucket":
            bucket = {"recordings": settings.recordings_bucket, "analytics": settings.analytics_bucket,
                      "frontend": settings.frontend_bucket}[name]
            return bucket if attribute == "Ref" else f"arn:aws:s3:::{bucket}"
        if kind == "queue":
            queue = aws.queue_name(settings, name)
            if attribute == "Ref":
                return f"{settings.aws_endpoint_url}/{account}/{queue}"
            return f"arn:aws:sqs:{region}:{account}:{queue}"
        if kind == "secret":
            return settings.secrets_arn
        if kind == "role":
            role = role_name(settings, name.split(":", 1)[1]) if name.startswith("function:") \
                else f"ringback-{settings.stage}-{name.replace('_', '-')}"
            return f"arn:aws:iam::{account}:role/{role}"
        if kind == "function":
            base, _, worker = name.partition("-")
            return f"arn:aws:lambda:{region}:{account}:function:{function_name(settings, base, worker or None)}"
        if kind == "state_machine":
            return settings.dial_workflow_arn
        if kind == "user_pool":
            return f"arn:aws:cognito-idp:{region}:{account}:userpool/{settings.user_pool_id}"
        if kind == "distribution":
            # Ref is the id; the template builds the ARN around it (cloudfront::ACCOUNT:distribution/ID).
            return settings.distribution_id if attribute == "Ref" else \
                f"arn:aws:cloudfront::{account}:distribution/{settings.distribution_id}"
        if kind == "usage_plan":
            # Created by name before the functions start (devstack.aws.create_usage_plans).
            from ringback.adapters.usage_plans import usage_plan_name

            plans = aws.client("apigateway", settings).get_usage_plans(limit=500)["items"]
            return next((plan["id"] for plan in plans if plan["name"] == usage_plan_name(settings.stage, name)), None)
        return None

    def create_roles(self) -> dict[str, dict[str, str]]:
        """One IAM role per function with its template policy; the credentials each
        function's process runs with, from STS."""
        iam, sts = aws.client("iam", self._settings), aws.client("sts", self._settings)
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "lambda.amazonaws.com"}}]}
        credentials = {}
        for name in self._units:
            role = role_name(self._settings, name)
            arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust),
                                  MaxSessionDuration=43200)["Role"]["Arn"]
            iam.put_role_policy(RoleName=role, PolicyName="template",
                                PolicyDocument=json.dumps(self.policy_document(name)))
            issued = sts.assume_role(RoleArn=arn, RoleSessionName=function_name(self._settings, name),
                                     DurationSeconds=43200)["Credentials"]
            credentials[name] = {"AWS_ACCESS_KEY_ID": issued["AccessKeyId"],
                                 "AWS_SECRET_ACCESS_KEY": issued["SecretAccessKey"],
                                 "AWS_SESSION_TOKEN": issued["SessionToken"]}
        return credentials

    # -- processes -------------------------------------------------------------------

    def environment(self, name: str, credentials: dict[str, str]) -> dict[str, str]:
        from infra.catalog import function_environment

        spec, worker = self._units[name]
        env = {key: os.environ[key] for key in _BASE_ENVIRONMENT if key in os.environ}
        env.update(function_environment(self._settings, spec, worker))
        env.update(credentials)
        env.update(AWS_REGION=self._settings.region, AWS_DEFAULT_REGION=self._settings.region,
                   AWS_LAMBDA_FUNCTION_NAME=function_name(self._settings, spec.name, worker),
                   PYTHONPATH=os.pathsep.join([str(REPO / "functions"), str(REPO)]),
                   PYTHONUNBUFFERED="1")
        return env

    def start(self, timeout: float = 120.0) -> LocalFunctions:
        self._credentials = self.create_roles()
        for name in self._units:
            self._hosts[name] = _Host(name, self._spawn(name))
        deadline = time.monotonic() + timeout
        for host in self._hosts.values():
            host.url = self._wait_ready(host, deadline)
        return self

    def _spawn(self, name: str, port: int = 0, tied: bool = True) -> subprocess.Popen:
        spec, worker = self._units[name]
        env = self.environment(name, self._credentials[name])
        # RINGBACK_FUNCTION_NICE (bench/swap.py): the functions run at that lower CPU
        # priority, as if on hosts of their own (Lambda's), so a cold start's imports do not
        # take the CPU from a browser on this machine. Unset: as everything else.
        nice = os.environ.get("RINGBACK_FUNCTION_NICE")
        # The child keeps its own descriptor of the log; this process's copy closes here.
        with open(self._log_dir / f"function-{name}.log", "ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "devstack.function_host", spec.name, self._settings.stage,
                 *([worker] if worker else []), *(["--port", str(port)] if port else []),
                 *(["--nice", nice] if nice else [])],
                cwd=REPO, env=child_environment(env) if tied else env,
                stdout=subprocess.PIPE, stderr=log,
            )

    def _cold_start(self, host: _Host, timeout: float = 120.0) -> None:
        """A function whose process is gone starts again on its next invocation, as Lambda
        starts a new execution environment (imports, services) for a request that finds
        none warm; on the same port, so whoever holds its URL reaches the new one."""
        with host.starting:
            if not _gone(host.process):
                return  # another invocation started it meanwhile
            host.process.wait()
            port = int(urllib.parse.urlsplit(host.url).port or 0) if host.url else 0
            # Not tied to this thread's life (devstack/shutdown.py's parent-death signal
            # follows the forking thread, and a request's thread ends with the request):
            # stop() ends it with the others.
            host.process = self._spawn(host.name, port, tied=False)
            host.url = self._wait_ready(host, time.monotonic() + timeout)

    def _wait_ready(self, host: _Host, deadline: float) -> str:
        line = b""
        while time.monotonic() < deadline:
            if host.process.poll() is not None:
                raise RuntimeError(f"function {host.name} exited with {host.process.returncode}; "
                                   f"see {self._log_dir / f'function-{host.name}.log'}")
            ready, _, _ = select.select([host.process.stdout], [], [], 0.2)
            if ready:
                line = host.process.stdout.readline()
                if line.startswith(b"READY "):
                    threading.Thread(target=_drain, args=(host.process.stdout,), daemon=True).start()
                    return line.split()[1].decode()
        self.stop()
        raise RuntimeError(f"function {host.name} did not start within the time allowed ({line!r})")

    def stop(self) -> None:
        for host in self._hosts.values():
            if host.process.poll() is None:
                host.process.terminate()
        deadline = time.monotonic() + 1  # they exit at once when told (devstack/shutdown.py)
        for host in self._hosts.values():
            try:
                host.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                host.process.kill()
                host.process.wait()

    # -- invoking --------------------------------------------------------------------

    def url_of(self, lambda_name: str) -> str:
        return self._hosts[self.served_by[lambda_name]].url

    def invoke(self, lambda_name: str, event: dict, timeout: float = 900) -> object:
        """Lambda's synchronous Invoke; a handler's error raises FunctionError."""
        host = self._hosts[self.served_by[lambda_name]]
        # A request that comes while another one's cold start is under way waits for that
        # process to be ready (until then its port is not bound: it would be refused).
        if _gone(host.process) or host.starting.locked():
            self._cold_start(host)
        request = urllib.request.Request(
            f"{self.url_of(lambda_name)}/2015-03-31/functions/{lambda_name}/invocations",
            data=json.dumps(event).encode(), method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            payload = json.loads(answer.read() or b"null")
            if answer.headers.get("X-Amz-Function-Error"):
                raise FunctionError(payload.get("errorType", "Error"), payload.get("errorMessage", ""))
        return payload

    def handler(self, lambda_name: str):
        """A callable in Lambda's (event, context) shape that invokes the function: what
        an event source (queue, stream) calls."""
        return lambda event, context=None: self.invoke(lambda_name, event)


def _gone(process: subprocess.Popen) -> bool:
    """The process has ended (a zombie not yet reaped counts as ended)."""
    if process.poll() is not None:
        return True
    try:
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


def _drain(stream) -> None:
    # The host writes nothing after READY; reading keeps its pipe from filling if it does.
    for _ in iter(stream.readline, b""):
        pass
