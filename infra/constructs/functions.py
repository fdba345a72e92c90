"""The four Lambda functions of infra/catalog.py, their shared dependency layer, their
log groups, and exactly the table access each one is listed with.

Each function's package is its folder plus the shared `ringback` package (see
infra/bundling.py); third-party code comes from one layer built from pyproject.toml's
[project].dependencies, so all four run the same versions.
"""
from __future__ import annotations

from typing import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.bundling import (
    DependencyLayerBundler,
    FunctionCodeBundler,
    bundling_options,
    runtime_dependencies,
)
from infra.catalog import READ, REPO, WRITE, FunctionSpec
from ringback.settings import Settings

# cdk-nag's AwsSolutions-L1 accepts only the newest Python runtime aws-cdk-lib knows.
RUNTIME = lambda_.Runtime.PYTHON_3_14
# Every dependency ships aarch64 wheels; Graviton costs less per GB-second.
ARCHITECTURE = lambda_.Architecture.ARM_64
_PIP_ARCH = {"arm64": "aarch64", "x86_64": "x86_64"}

# Lambda sets these itself and rejects a function whose environment names them.
_RESERVED_ENVIRONMENT = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME"})


def function_environment(settings: Settings, spec: FunctionSpec) -> dict[str, str]:
    env = {k: v for k, v in settings.as_environment().items() if k not in _RESERVED_ENVIRONMENT}
    env.update(
        POWERTOOLS_SERVICE_NAME=spec.name,
        POWERTOOLS_LOG_LEVEL="INFO",
        POWERTOOLS_METRICS_NAMESPACE="Ringback",
    )
    return env


class FunctionsConstruct(Construct):
    """`functions` maps each catalog name ("widget") to its function."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        specs: tuple[FunctionSpec, ...],
        settings: Settings,
        tables: Mapping[str, dynamodb.ITable],
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, id)
        python_version = RUNTIME.name.removeprefix("python")
        layer_bundler = DependencyLayerBundler(
            runtime_dependencies(),
            python_version=python_version,
            architecture=_PIP_ARCH[ARCHITECTURE.name],
        )
        self.layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            description="Ringback runtime dependencies (pyproject.toml [project].dependencies)",
            # The source folder only matters to a Docker bundler; the hash says what the
            # layer holds: the requirement list, the Python version and the platform.
            code=lambda_.Code.from_asset(
                str(REPO / "infra"),
                asset_hash=layer_bundler.fingerprint(),
                bundling=bundling_options(layer_bundler, RUNTIME.bundling_image),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )

        self.functions: dict[str, lambda_.Function] = {}
        # "dialer-events": the catalog's workers, same code and role as their function.
        self.workers: dict[str, lambda_.Function] = {}
        for spec in specs:
            self.functions[spec.name] = self._function(
                spec, settings, tables, log_retention, removal_policy
            )
            for worker, handler in spec.workers.items():
                self.workers[f"{spec.name}-{worker}"] = self._worker(
                    spec, worker, handler, self.functions[spec.name], settings, log_retention, removal_policy
                )

    def _worker(
        self,
        spec: FunctionSpec,
        worker: str,
        handler: str,
        main: lambda_.Function,
        settings: Settings,
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
    ) -> lambda_.Function:
        name = f"{spec.name.capitalize()}{worker.capitalize()}"
        log_group = logs.LogGroup(self, f"{name}Logs", retention=log_retention, removal_policy=removal_policy)
        log_group.grant_write(main.role)
        code_bundler = FunctionCodeBundler(spec.name)
        return lambda_.Function(
            self,
            name,
            description=f"{spec.description}: {worker}",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=lambda_.Code.from_asset(
                str(spec.folder),
                asset_hash=code_bundler.fingerprint(),
                bundling=bundling_options(code_bundler, RUNTIME.bundling_image),
            ),
            layers=[self.layer],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            environment={**function_environment(settings, spec), "POWERTOOLS_SERVICE_NAME": f"{spec.name}-{worker}"},
            tracing=lambda_.Tracing.ACTIVE,
            role=main.role,
            log_group=log_group,
        )

    def _function(
        self,
        spec: FunctionSpec,
        settings: Settings,
        tables: Mapping[str, dynamodb.ITable],
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
    ) -> lambda_.Function:
        name = spec.name.capitalize()
        # Our own role, so no AWS-managed policy comes with it: logging is granted on
        # this function's log group only.
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Ringback {spec.name} function",
        )
        log_group = logs.LogGroup(
            self,
            f"{name}Logs",
            retention=log_retention,
            removal_policy=removal_policy,
        )
        log_group.grant_write(role)

        code_bundler = FunctionCodeBundler(spec.name)
        function = lambda_.Function(
            self,
            name,
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            # Lambda calls the Chalice app object itself: app.py's `app`.
            handler="app.app",
            code=lambda_.Code.from_asset(
                str(spec.folder),
                asset_hash=code_bundler.fingerprint(),
                bundling=bundling_options(code_bundler, RUNTIME.bundling_image),
            ),
            layers=[self.layer],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            environment=function_environment(settings, spec),
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
        )

        for logical, access in spec.tables.items():
            table = tables.get(logical)
            if table is None:
                raise KeyError(
                    f"infra/catalog.py gives function '{spec.name}' table '{logical}', "
                    f"which no model in ringback/adapters/tables.py defines"
                )
            if access == WRITE:
                table.grant_read_write_data(function)
            elif access == READ:
                table.grant_read_data(function)
            else:
                raise ValueError(f"function '{spec.name}': unknown access {access!r} to '{logical}'")
        return function
