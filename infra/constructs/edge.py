"""The one public origin: a CloudFront distribution serving the frontend's pages from a
private bucket, and /v1/* and /health from the API.

What a customer's page loads never waits on a Lambda (infra/edge_routes.py): the scripts
come from the bucket under content-hashed names, cached for a year, and the snippet's
stable addresses (/v1/swap.js, /v1/widget.js) are mapped to them by a viewer-request
function; each site's config is cached here for a minute, and invalidated by the pool
function when the site changes (ringback.accounts.edge_cache).

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

from infra.catalog import DASHBOARD_CONFIG, FRONTEND_DIR
from infra.constructs import AcknowledgeGrantWildcards, acknowledge
from infra.constructs.data import private_bucket
from infra.edge_routes import (
    CONFIG_KEY_HEADERS,
    CONFIG_PATTERN,
    IMMUTABLE,
    SCRIPTS_PATTERN,
    SCRIPTS_PREFIX,
    STABLE_CACHE_CONTROL,
    STABLE_SCRIPTS,
    STABLE_SCRIPTS_MODE,
    YEAR_SECONDS,
    stable_scripts_function,
)
from ringback.accounts.edge_cache import CONFIG_MAX_AGE_SECONDS

API_PATHS = ("/v1/*", "/health")
# The dashboard is one page whose addresses (/app/calls/CA…) are its own: a viewer
# request for one of them gets app/index.html. The same rule as devstack/edge.py's dashboard_path.
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
# The scripts' build (scripts/) is published apart, with its own caching (_publish_scripts).
# demo/ is the local stack's customer site, never deployed: its snippet names a demo
# tenant's site key that only the local stack creates (and fills in, devstack/__main__.py).
FRONTEND_BUILD_INPUTS = ("*.py", "src", "__pycache__", "dashboard", "node_modules", "scripts", "demo")


def build_scripts() -> tuple[Path, dict[str, str]]:
    """frontend/build.py's scripts, built now from frontend/src, so what is published and
    the names the edge maps to are one build: (its folder, plain name -> hashed name)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("frontend_build", FRONTEND_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    built = module.build()
    failures = module.problems(built)
    if failures:
        raise ValueError("the browser scripts are over budget: " + "; ".join(failures))
    return module.OUTPUT, {item.name: item.hashed_name for item in built}


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


def edge_cache_policy(scope: Construct, id: str, comment: str, seconds: int, **cache_key) -> cloudfront.CachePolicy:
    """A cache policy of ours: an answer kept at the edge `seconds` at the most (the origin's
    Cache-Control may say less), gzip and brotli alike; `cache_key` says what else it is
    keyed on (headers, query strings, cookies)."""
    return cloudfront.CachePolicy(
        scope,
        id,
        comment=comment,
        default_ttl=Duration.seconds(seconds),
        max_ttl=Duration.seconds(seconds),
        min_ttl=Duration.seconds(0),
        enable_accept_encoding_gzip=True,
        enable_accept_encoding_brotli=True,
        **cache_key,
    )


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
        web_acl_arn: str | None = None,
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
        self._bucket_origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)

        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Ringback: frontend and API",
            default_behavior=cloudfront.BehaviorOptions(
                origin=self._bucket_origin,
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
            # AWS WAF at the edge (infra/constructs/firewall.py: EdgeFirewall).
            web_acl_id=web_acl_arn,
        )
        self._acknowledge_distribution()

        scripts_dir, self.scripts = build_scripts()
        self.scripts_deployment = self._publish_scripts(scripts_dir)
        self._serve_scripts()

        self.deployment: s3deploy.BucketDeployment | None = None
        if publishable_files(frontend_dir):
            self._deploy_frontend(frontend_dir, dashboard_config)

    def grant_invalidation(self, grantee) -> None:
        """cloudfront:CreateInvalidation on this distribution alone (its ARN is computed
        from its id, which the functions already depend on: no cycle)."""
        self.distribution.grant_create_invalidation(grantee)

    def _publish_scripts(self, scripts_dir: Path) -> s3deploy.BucketDeployment:
        """The hashed scripts to scripts/, as immutable objects. Never pruned: a page that
        loaded the previous swap.js within its five minutes still finds that build's widget."""
        deployment = s3deploy.BucketDeployment(
            self,
            "ScriptFiles",
            sources=[s3deploy.Source.asset(str(scripts_dir), exclude=["*", "!*.*.js"])],
            destination_bucket=self.bucket,
            destination_key_prefix=SCRIPTS_PREFIX,
            prune=False,
            cache_control=[s3deploy.CacheControl.from_string(IMMUTABLE)],
            content_type="application/javascript; charset=utf-8",
            memory_limit=512,
        )
        self._acknowledge_deployment(deployment)
        return deployment

    def _serve_scripts(self) -> None:
        # Content-hashed, so the edge may keep them as long as browsers do.
        immutable = edge_cache_policy(self, "ScriptsCache", "Ringback: content-hashed scripts, a year", YEAR_SECONDS)
        self._serve_from_bucket(SCRIPTS_PATTERN, immutable, self.security_headers)
        stable = cloudfront.Function(
            self,
            "StableScripts",
            code=cloudfront.FunctionCode.from_inline(stable_scripts_function(self.scripts, STABLE_SCRIPTS_MODE)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Ringback: the snippet's script addresses serve the current build",
        )
        # The names it maps to are uploaded before it maps to them.
        stable.node.add_dependency(self.scripts_deployment)
        # The hashed object says "a year"; at the stable address browsers must come back
        # within minutes to learn of a new build.
        short = cloudfront.ResponseHeadersPolicy(
            self,
            "StableScriptHeaders",
            comment="Ringback: the snippet's script addresses, five minutes in browsers",
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=[
                cloudfront.ResponseCustomHeader(header="Cache-Control", value=STABLE_CACHE_CONTROL, override=True),
            ]),
            # What the managed SecurityHeadersPolicy sets, which this policy replaces here.
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.SAMEORIGIN, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(YEAR_SECONDS), override=True),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True,
                                                                       override=True),
            ),
        )
        for path in STABLE_SCRIPTS:
            self._serve_from_bucket(path, immutable, short, function_associations=[cloudfront.FunctionAssociation(
                function=stable, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)])

    def _serve_from_bucket(self, path: str, cache_policy: cloudfront.ICachePolicy,
                           headers: cloudfront.IResponseHeadersPolicy, **options) -> None:
        """`path` from the frontend bucket, compressed, plain HTTP redirected to HTTPS."""
        self.distribution.add_behavior(
            path,
            self._bucket_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            compress=True,
            cache_policy=cache_policy,
            response_headers_policy=headers,
            **options,
        )

    def serve_api(self, rest_api_id: str, stage_name: str, origin_headers: Mapping[str, str] | None = None) -> None:
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
            # The secret header the API's web ACL requires (infra/constructs/firewall.py: ApiFirewall).
            custom_headers=dict(origin_headers) if origin_headers else None,
        )

        def from_api(path: str, **options) -> None:
            self.distribution.add_behavior(
                path,
                api_origin,
                # A redirect would turn the widget's POSTs into GETs; refuse plain HTTP.
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                response_headers_policy=self.security_headers,
                **options,
            )

        # Before /v1/*: a site's config, cached for a minute (the pool function
        # invalidates it when the site changes), so a page view's widget rarely reaches
        # the function. Keyed on what the answer depends on, and nothing else reaches it.
        from_api(
            CONFIG_PATTERN,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
            cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
            compress=True,
            cache_policy=edge_cache_policy(
                self,
                "SiteConfigCache",
                "Ringback: a site's public config, per page origin and viewer country",
                CONFIG_MAX_AGE_SECONDS,
                header_behavior=cloudfront.CacheHeaderBehavior.allow_list(*CONFIG_KEY_HEADERS),
                query_string_behavior=cloudfront.CacheQueryStringBehavior.none(),
                cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            ),
        )
        for path in API_PATHS:
            from_api(
                path,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                # All viewer headers except Host (API Gateway routes on its own host
                # name), plus CloudFront's headers, the viewer-location ones among them.
                # A custom policy cannot forward Authorization, which the dashboard's
                # Cognito token travels in.
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
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
            # The scripts' own deployment owns scripts/: this one neither prunes nor replaces it.
            exclude=[f"{SCRIPTS_PREFIX}*"],
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
        )
        self._acknowledge_deployment(self.deployment)

    def _acknowledge_deployment(self, deployment: s3deploy.BucketDeployment) -> None:
        # Every BucketDeployment of the stack shares one handler (and its role).
        role = deployment.handler_role
        acknowledged = self.__dict__.setdefault("_acknowledged_roles", set())
        if role.node.path in acknowledged:
            return
        acknowledged.add(role.node.path)
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
            "prunes the frontend bucket (pages and scripts) and invalidates the distribution, with CDK's grants."
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
            "CFR4",
            "The distribution serves its cloudfront.net name with CloudFront's default "
            "certificate, whose TLS policy cannot be set; a custom domain brings TLSv1.2_2021.",
        )
