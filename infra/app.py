"""The CDK app: `python -m infra.app` from the repository root (cdk.json runs exactly that).

The stage comes from context (`cdk synth -c stage=dev`), default "prod". cdk-nag's
AwsSolutions pack validates the whole app at synthesis: any finding that is not
acknowledged with a reason fails `cdk synth`.

CloudFront's web ACL exists only in us-east-1. Deploying the stack there, the stack holds
it; deploying anywhere else, a small `Ringback-{stage}-edge-firewall` stack in us-east-1
holds it, and CDK's cross-region references (SSM parameters in us-east-1 read back by a
custom resource) hand its ARN to the distribution. `cdk deploy --all` deploys both, the
firewall first.
"""
from __future__ import annotations

from aws_cdk import App, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks

from infra.catalog import FUNCTIONS, load_app
from infra.config import deploy_target
from infra.constructs.api import PUBLIC, collect_routes
from infra.constructs.firewall import EDGE_REGION, EdgeFirewall, rate_limited_paths
from infra.stack import RingbackStack


def build_app(app: App | None = None) -> tuple[App, RingbackStack, AwsSolutionsChecks]:
    app = app or App()
    target = deploy_target()
    stage = app.node.try_get_context("stage") or "prod"
    edge: dict = {}
    if target.region != EDGE_REGION:
        firewall_stack = Stack(
            app, f"Ringback-{stage}-edge-firewall",
            env=Environment(account=target.account, region=EDGE_REGION),
            cross_region_references=True,
            description=f"Ringback's CloudFront web ACL, which must live in {EDGE_REGION} ({stage})",
        )
        routes = collect_routes({spec.name: load_app(spec.name) for spec in FUNCTIONS})
        firewall = EdgeFirewall(firewall_stack, "EdgeFirewall", stage=stage,
                                **rate_limited_paths(r.path for r in routes if r.group == PUBLIC))
        edge = {"edge_web_acl_arn": firewall.web_acl_arn, "cross_region_references": True}
    stack = RingbackStack(
        app,
        f"Ringback-{stage}",
        stage=stage,
        env=Environment(account=target.account, region=target.region),
        description=f"Ringback call tracking and callbacks ({stage})",
        **edge,
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
