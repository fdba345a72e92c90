"""The CDK app's template for the local stage, and each function's IAM policy in it with
the resources resolved to the local stack's.

The local stack synthesizes the same app `cdk deploy -c stage=local` would deploy
(bundling skipped: policies do not depend on it), so table and state machine names match
the local ones by construction; the resources CloudFormation names itself (buckets,
queues, the secret, keys) are mapped through what the construct tree says each one is.
Synthesis takes ~10 s, so its result is kept under .devstack/cache/, keyed by the
contents of everything that shapes it (infra/, the functions' code, cdk.json,
pyproject.toml).

    python -m devstack.template OUT.json     # synthesize into OUT.json
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".devstack" / "cache"
LOCAL_STAGE = "local"


@dataclass(frozen=True)
class Synthesized:
    template: dict
    # logical id -> what it is, e.g. {"kind": "bucket", "name": "recordings"}
    resources: dict[str, dict]
    # function name (catalog), or "function-worker" for a worker with a role of its own
    # -> its role's logical id
    roles: dict[str, str]

    def role_statements(self, function: str) -> list[dict]:
        """Every statement of every policy the function's role carries, unresolved."""
        role_id = self.roles[function]
        found = []
        for resource in self.template["Resources"].values():
            if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in resource["Properties"].get("Roles", []):
                found += resource["Properties"]["PolicyDocument"]["Statement"]
        for inline in self.template["Resources"][role_id]["Properties"].get("Policies", []):
            found += inline["PolicyDocument"]["Statement"]
        return found

    def to_json(self) -> dict:
        return {"template": self.template, "resources": self.resources, "roles": self.roles}

    @classmethod
    def from_json(cls, data: dict) -> Synthesized:
        return cls(data["template"], data["resources"], data["roles"])


def _sources_digest() -> str:
    digest = hashlib.sha256()
    files = [REPO / "cdk.json", REPO / "pyproject.toml"]
    for folder, patterns in ((REPO / "infra", ("*.py", "*.json")), (REPO / "functions", ("*.py", "*.sql"))):
        for pattern in patterns:
            files += [p for p in folder.rglob(pattern) if "__pycache__" not in p.parts and "static" not in p.parts]
    for path in sorted(set(files)):
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def synthesized(path: Path | None = None) -> Synthesized:
    """The local stage's synthesis: from `path` if given (a test may hand in an edited
    one), else from the cache, synthesizing first when the sources changed."""
    if path is not None:
        return Synthesized.from_json(json.loads(Path(path).read_text()))
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / f"local-template-{_sources_digest()}.json"
    with open(CACHE / "synth.lock", "w") as lock:
        # Two stacks starting at once synthesize once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            for stale in CACHE.glob("local-template-*.json"):
                stale.unlink()
            partial = target.with_suffix(".partial")
            env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
            completed = subprocess.run([sys.executable, "-m", "devstack.template", str(partial)], cwd=REPO, env=env,
                                       capture_output=True, text=True)
            if completed.returncode != 0:
                raise RuntimeError(f"cdk synth for the local stage failed:\n{completed.stdout}\n{completed.stderr}")
            partial.replace(target)
    return Synthesized.from_json(json.loads(target.read_text()))


def _synthesize(out: Path) -> None:
    sys.path.insert(0, str(REPO))
    from aws_cdk import App

    from infra.app import build_app
    from infra.catalog import FUNCTIONS

    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context.update({"aws:cdk:bundling-stacks": [], "stage": LOCAL_STAGE})
    with tempfile.TemporaryDirectory() as outdir:
        app, stack, _ = build_app(App(context=context, outdir=outdir))
        template = app.synth().get_stack_by_name(stack.stack_name).template

    def logical(construct) -> str:
        return stack.resolve(stack.get_logical_id(construct.node.default_child))

    resources = {logical(t): {"kind": "table", "name": name} for name, t in stack.data.tables.items()}
    named = {
        "bucket": {"recordings": stack.dialer.recordings, "analytics": stack.analytics.bucket,
                   "frontend": stack.edge.bucket},
        "queue": {"call_events": stack.dialer.events, "call_events_dead": stack.dialer.events_dead_letters,
                  "changes_dead": stack.analytics.changes_dead_letters},
        "secret": {"app": stack.data.app_secrets},
        "key": {"data": stack.data.key},
        "role": {"report_query": stack.analytics.report_role},
        "state_machine": {"callback_dial": stack.dialer.dial_workflow},
        "user_pool": {"dashboard": stack.auth.user_pool},
        "distribution": {"public": stack.edge.distribution},
        "usage_plan": {"api-keys": stack.api.api_keys_plan, "dashboard": stack.api.dashboard_plan},
    }
    for kind, constructs in named.items():
        resources.update({logical(c): {"kind": kind, "name": name} for name, c in constructs.items()})
    for name, function in {**stack.functions.functions, **stack.functions.workers}.items():
        resources[logical(function)] = {"kind": "function", "name": name}
    roles = {}
    for spec in FUNCTIONS:
        role_id = logical(stack.functions.functions[spec.name].role)
        roles[spec.name] = role_id
        resources[role_id] = {"kind": "role", "name": f"function:{spec.name}"}
        # A worker with a role of its own (the authorizer) is a role apart: "pool-authorizer".
        for worker in spec.worker_tables:
            role_id = logical(stack.functions.workers[f"{spec.name}-{worker}"].role)
            roles[f"{spec.name}-{worker}"] = role_id
            resources[role_id] = {"kind": "role", "name": f"function:{spec.name}-{worker}"}
    out.write_text(json.dumps(Synthesized(template, resources, roles).to_json()))


# -- resolving intrinsics to the local stack's resources ------------------------------------

Physical = Callable[[dict, str], str | None]  # (what the resource is, "Ref" or an attribute)


def resolve(value: Any, synthesized: Synthesized, physical: Physical, region: str, account: str) -> Any:
    """A template value with Ref, Fn::GetAtt, Fn::Join and Fn::Sub replaced by the local
    stack's names. Anything it cannot name becomes an ARN that matches nothing."""
    pseudo = {"AWS::AccountId": account, "AWS::Region": region, "AWS::Partition": "aws",
              "AWS::URLSuffix": "amazonaws.com"}

    def named(logical_id: str, attribute: str) -> str:
        if logical_id in pseudo:
            return pseudo[logical_id]
        what = synthesized.resources.get(logical_id)
        found = physical(what, attribute) if what else None
        return found or f"arn:aws:unresolved:{region}:{account}:{logical_id}/{attribute}"

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "Ref" in node:
            return named(node["Ref"], "Ref")
        if "Fn::GetAtt" in node:
            logical_id, attribute = node["Fn::GetAtt"]
            return named(logical_id, attribute)
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return delimiter.join(str(walk(item)) for item in items)
        if "Fn::Sub" in node:
            text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
            for name, value in pseudo.items():
                text = text.replace("${" + name + "}", value)
            return text
        return {key: walk(item) for key, item in node.items()}

    return walk(value)


if __name__ == "__main__":
    _synthesize(Path(sys.argv[1]))
