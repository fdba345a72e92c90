"""One synthesis of the whole stack per test session, shared by every infra test.

Bundling is skipped (context `aws:cdk:bundling-stacks = []`), so assets are hashed from
their sources and no pip or copy runs; tests/infra/test_bundling.py runs the bundlers.
The context is cdk.json's, so tests see the same feature flags as `cdk synth`.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

# Before aws_cdk starts its Node process.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import pytest
from aws_cdk import App, PolicyValidationPluginReport
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.catalog import REPO
from infra.stack import RingbackStack


def cdk_context(**extra: Any) -> dict[str, Any]:
    context = json.loads((REPO / "cdk.json").read_text())["context"]
    context["aws:cdk:bundling-stacks"] = []
    context.update(extra)
    return context


@dataclass(frozen=True)
class Synthesis:
    app: App
    stack: RingbackStack
    template: Template
    # cdk-nag's AwsSolutions report: every finding that is not acknowledged.
    nag: PolicyValidationPluginReport

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.to_json()["Resources"]

    def of_type(self, type_: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v["Type"] == type_}

    def logical_id(self, construct) -> str:
        return self.stack.resolve(self.stack.get_logical_id(construct.node.default_child))


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synthesis:
    app = App(context=cdk_context(), outdir=str(tmp_path_factory.mktemp("cdk.out")))
    app, stack, nag = build_app(app)
    template = Template.from_stack(stack)
    return Synthesis(app=app, stack=stack, template=template, nag=nag.validate_scope(stack))


@pytest.fixture(scope="session")
def template(synth: Synthesis) -> Template:
    return synth.template
