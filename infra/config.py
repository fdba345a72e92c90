"""Where the CDK app deploys: the one place infra/ reads the environment.

The CDK CLI sets CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION from the caller's AWS
profile; the stage comes from context (`-c stage=NAME`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class DeployTarget:
    account: str | None
    region: str


def deploy_target() -> DeployTarget:
    return DeployTarget(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        region=os.environ.get("CDK_DEFAULT_REGION") or DEFAULT_REGION,
    )
