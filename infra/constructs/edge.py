"""The one public origin: a CloudFront distribution serving the frontend's pages from a
private bucket, and /v1/* and /health from the API (the scripts customers' pages load
are API routes of the widget function).

Serving both from one domain keeps the dashboard same-origin with its API, and gives
the API CloudFront's viewer-location headers (CloudFront-Viewer-Country, -Country-Region,
-City), which is where a visit's region comes from.

The distribution is created before the API (the functions need its domain name for
RINGBACK_PUBLIC_BASE_URL); `serve_api` adds the API behaviours once the API exists.
"""
from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatch
from pathlib import Path

from aws_cdk import AspectPriority, Aspects, Aws, Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.catalog import DASHBOARD_CONFIG
from infra.constructs import AcknowledgeGrantWildcards, acknowledge
from infra.constructs.data import private_bucket

API_PATHS = ("/v1/*", "/health")
# The dashboard is one page whose addresses (/app/calls/CA…) are its own: a viewer
# request for one of them gets app/index.html. The same rule as devstack.gateway's.
DASHBOARD_ROUTES_JS = """
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/app' || (uri.indexOf('/app/') === 0 && uri.split('/').pop().indexOf('.') === -1)) {
    request.uri = '/app/index.html';
  }
  return request;
}
"""
# Sources and toolchain of the built files, never uploaded: the dashboard's build lands in app/.
FRONTEND_BUILD_INPUTS = ("*.py", "src", "__pycache__", "dashboard", "node_modules")


def publishable_files(folder: Path | None) -> list[Path]:
    """The files of `folder` that would be uploaded: everything but the build inputs."""
    if folder is None or not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not any(
            fnmatch(part, pattern)
            for part in path.relative_to(folder).parts
            for pattern in FRONTEND_BUILD_INPUTS
        )
    ]


class EdgeConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        access_logs: s3.IBucket,
        removal_policy: RemovalPolicy,
        frontend_dir: Path | None,
        dashboard_config: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        # SSE-S3 rather than the data key: everything here is public through CloudFront
        # anyway, and OAC reads of SSE-KMS objects would need CloudFront in the key policy.
        self.bucket = private_bucket(
            self,
            "Frontend",
            access_logs=access_logs,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-noncurrent", noncurrent_version_expiration=Duration.days(30))
            ],
        )
        self.security_headers = cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS

        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Ringback: frontend and API",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                compress=True,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.security_headers,
                function_associations=[cloudfront.FunctionAssociation(
                    function=cloudfront.Function(
                        self,
                        "DashboardRoutes",
                        code=cloudfront.FunctionCode.from_inline(DASHBOARD_ROUTES_JS),
                        runtime=cloudfront.FunctionRuntime.JS_2_0,
                        comment="Ringback: the dashboard's own addresses serve its page",
                    ),
                    event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                )],
            ),
            default_root_object="index.html",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
        )
        self._acknowledge_distribution()

        self.deployment: s3deploy.BucketDeployment | None = None
        if publishable_files(frontend_dir):
            self._deploy_frontend(frontend_dir, dashboard_config)

    def serve_api(self, rest_api_id: str, stage_name: str) -> None:
        """Route the API paths to the REST API's stage.

        The origin is built from the API id and the stage *name*, not from `RestApi.url`:
        that URL references the Stage resource, which depends on every method, which
        depends on the functions, whose environment holds this distribution's domain, a
        dependency cycle CloudFormation refuses.
        """
        api_origin = origins.HttpOrigin(
            f"{rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
            origin_path=f"/{stage_name}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        for path in API_PATHS:
            self.distribution.add_behavior(
                path,
                api_origin,
                # A redirect would turn the widget's POSTs into GETs; refuse plain HTTP.
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                # All viewer headers except Host (API Gateway routes on its own host
                # name), plus CloudFront's headers, the viewer-location ones among them.
                # A custom policy cannot forward Authorization, which the dashboard's
                # Cognito token travels in.
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=self.security_headers,
            )

    def _deploy_frontend(self, frontend_dir: Path, dashboard_config: Mapping[str, str] | None) -> None:
        """Upload frontend/ on every deploy and invalidate the distribution.

        The upload runs in a Lambda function that CDK provides and owns (one per stack,
        whatever its scope), so its runtime and permissions are CDK's, not ours.
        """
        self.deployment = s3deploy.BucketDeployment(
            self,
            "FrontendFiles",
            # frontend/ also holds the build inputs of the scripts the widget function
            # serves (frontend/build.py, src/); only the pages themselves are published.
            sources=[
                s3deploy.Source.asset(str(frontend_dir), exclude=list(FRONTEND_BUILD_INPUTS)),
                # The pool's ids are tokens until deploy time; the deployment resolves them.
                *([s3deploy.Source.json_data(DASHBOARD_CONFIG, dict(dashboard_config))] if dashboard_config else []),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
        )
        role = self.deployment.handler_role
        handler = role.node.scope
        acknowledge(
            handler,
            "L1",
            "CDK's BucketDeployment handler: CDK chooses and updates its runtime with "
            "aws-cdk-lib releases; we cannot set it.",
        )
        acknowledge(
            role,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's BucketDeployment handler role: CDK attaches the basic execution policy "
            "for the handler's own logs.",
        )
        reason = (
            "CDK's BucketDeployment handler: it reads the CDK asset bucket, writes and "
            "prunes the frontend bucket and invalidates the distribution, with CDK's grants."
        )
        Aspects.of(role).add(
            AcknowledgeGrantWildcards(rules=[lambda finding, statement: reason]),
            priority=AspectPriority.MUTATING,
        )

    def _acknowledge_distribution(self) -> None:
        acknowledge(
            self.distribution,
            "CFR1",
            "No geo restriction: the swap script and widget run for visitors of customers' "
            "sites in any country.",
        )
        acknowledge(
            self.distribution,
            "CFR2",
            "No WAF yet: API Gateway throttling and the per-site rate_counters limits guard "
            "the public routes; a WAF web ACL is a cost decision left for launch.",
        )
        acknowledge(
            self.distribution,
            "CFR4",
            "The distribution serves its cloudfront.net name with CloudFront's default "
            "certificate, whose TLS policy cannot be set; a custom domain brings TLSv1.2_2021.",
        )
