"""The CDK app: `python -m infra.app` from the repository root (cdk.json runs exactly that).

The stage comes from context (`cdk synth -c stage=dev`), default "prod". cdk-nag's
AwsSolutions pack validates the whole app at synthesis: any finding that is not
acknowledged with a reason fails `cdk synth`.
"""
from __future__ import annotations

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra.config import deploy_target
from infra.stack import RingbackStack


def build_app(app: App | None = None) -> tuple[App, RingbackStack, AwsSolutionsChecks]:
    app = app or App()
    target = deploy_target()
    stage = app.node.try_get_context("stage") or "prod"
    stack = RingbackStack(
        app,
        f"Ringback-{stage}",
        stage=stage,
        env=Environment(account=target.account, region=target.region),
        description=f"Ringback call tracking and callbacks ({stage})",
    )
    # The writer aspect copies every acknowledgement into the template's metadata, so
    # a reviewer sees each accepted finding and its reason next to the resource.
    nag = AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True)
    return app, stack, nag


def main() -> None:
    app, _, nag = build_app()
    Validations.of(app).add_plugins(nag)
    app.synth()


if __name__ == "__main__":
    main()
