"""The four Lambda functions of infra/catalog.py and their workers, their dependency
layers, their log groups, and exactly the table access each one is listed with.

Each function's package is its folder plus the shared `ringback` package (see
infra/bundling.py); third-party code comes from one layer built from pyproject.toml's
[project].dependencies, so all four run the same versions. A function whose catalog entry
names `extras` (reports: "analytics", i.e. pyarrow) also gets one layer per such
optional-dependencies group, built the same way; the others never carry it.
"""
from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.bundling import (
    PRUNE,
    DependencyLayerBundler,
    FunctionCodeBundler,
    bundling_options,
    optional_dependencies,
    runtime_dependencies,
)
from infra.catalog import (
    APPEND,
    APPEND_QUERY,
    ERASE,
    QUERY,
    READ,
    REPO,
    TOUCH,
    TOUCH_ERASE,
    WRITE,
    FunctionSpec,
    Sizing,
    function_environment,
)
from ringback.settings import Settings

# cdk-nag's AwsSolutions-L1 accepts only the newest Python runtime aws-cdk-lib knows.
RUNTIME = lambda_.Runtime.PYTHON_3_14
# Every dependency ships aarch64 wheels; Graviton costs less per GB-second.
ARCHITECTURE = lambda_.Architecture.ARM_64
_PIP_ARCH = {"arm64": "aarch64", "x86_64": "x86_64"}

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
        self.layer = self._dependency_layer(
            "Dependencies",
            runtime_dependencies(),
            description="Ringback runtime dependencies (pyproject.toml [project].dependencies)",
        )
        # "analytics" -> its layer, for the functions whose catalog entry lists it.
        self.extra_layers: dict[str, lambda_.LayerVersion] = {
            group: self._dependency_layer(
                f"{group.capitalize()}Dependencies",
                optional_dependencies(group),
                description=f"Ringback {group} dependencies (pyproject.toml optional group '{group}')",
                prune=PRUNE.get(group, ()),
            )
            for group in sorted({group for spec in specs for group in spec.extras})
        }

        self.functions: dict[str, lambda_.Function] = {}
        # "dialer-events": the catalog's workers, same code as their function, and its role
        # unless the catalog gives the worker one of its own (worker_tables).
        self.workers: dict[str, lambda_.Function] = {}
        for spec in specs:
            unknown = (set(spec.worker_sizing) | set(spec.worker_tables) | set(spec.worker_usage_plan)) \
                - set(spec.workers)
            if unknown:
                raise KeyError(f"function '{spec.name}': sizing, tables or grants for unknown workers "
                               f"{sorted(unknown)}")
            if set(spec.worker_usage_plan) - set(spec.worker_tables):
                # A worker on the function's role holds the function's grants already.
                raise ValueError(f"function '{spec.name}': worker_usage_plan names workers without a role "
                                 "of their own (worker_tables)")
            self.functions[spec.name] = self._function(
                spec, settings, tables, log_retention, removal_policy
            )
            for worker, handler in spec.workers.items():
                self.workers[f"{spec.name}-{worker}"] = self._worker(
                    spec, worker, handler, self.functions[spec.name], settings, tables, log_retention,
                    removal_policy,
                )

    def _dependency_layer(
        self, id: str, requirements: list[str], *, description: str, prune: tuple[str, ...] = ()
    ) -> lambda_.LayerVersion:
        bundler = DependencyLayerBundler(
            requirements,
            python_version=RUNTIME.name.removeprefix("python"),
            architecture=_PIP_ARCH[ARCHITECTURE.name],
            prune=prune,
        )
        return lambda_.LayerVersion(
            self,
            id,
            description=description,
            # The source folder only matters to a Docker bundler; the hash says what the
            # layer holds: the requirement list, the Python version and the platform.
            code=lambda_.Code.from_asset(
                str(REPO / "infra"),
                asset_hash=bundler.fingerprint(),
                bundling=bundling_options(bundler, RUNTIME.bundling_image),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
        )

    def layers(self, spec: FunctionSpec) -> list[lambda_.ILayerVersion]:
        """The shared layer and the function's extras. No file is in two of them, so the
        order Lambda stacks them in does not matter."""
        return [self.layer, *(self.extra_layers[group] for group in spec.extras)]

    def _worker(
        self,
        spec: FunctionSpec,
        worker: str,
        handler: str,
        main: lambda_.Function,
        settings: Settings,
        tables: Mapping[str, dynamodb.ITable],
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
    ) -> lambda_.Function:
        name = f"{spec.name.capitalize()}{worker.capitalize()}"
        sizing = spec.worker_sizing.get(worker, Sizing(spec.memory_mb, spec.timeout_seconds))
        log_group = logs.LogGroup(self, f"{name}Logs", retention=log_retention, removal_policy=removal_policy)
        own_role = worker in spec.worker_tables
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Ringback {spec.name} function: {worker}",
        ) if own_role else main.role
        if role is None:  # typed Optional: a Function without a role given makes its own
            raise ValueError(f"{spec.name}: the function has no role to share with its {worker} worker")
        log_group.grant_write(role)
        code_bundler = FunctionCodeBundler(spec.name)
        function = lambda_.Function(
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
            layers=self.layers(spec),
            memory_size=sizing.memory_mb,
            timeout=Duration.seconds(sizing.timeout_seconds),
            environment=function_environment(settings, spec, worker),
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
        )
        if own_role:
            _grant_tables(f"{spec.name}-{worker}", spec.worker_tables[worker], function, tables)
        return function

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
            layers=self.layers(spec),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            environment=function_environment(settings, spec),
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
        )

        _grant_tables(spec.name, spec.tables, function, tables)
        return function


def _grant_tables(name: str, access_by_table: Mapping[str, str], function: lambda_.Function,
                  tables: Mapping[str, dynamodb.ITable]) -> None:
    for logical, access in access_by_table.items():
        table = tables.get(logical)
        if table is None:
            raise KeyError(
                f"infra/catalog.py gives function '{name}' table '{logical}', "
                f"which no model in ringback/adapters/tables.py defines"
            )
        if access == WRITE:
            table.grant_read_write_data(function)
        elif access == READ:
            table.grant_read_data(function)
        elif access in (TOUCH, ERASE, TOUCH_ERASE):
            # Named writes only (ringback.calls.erasure deletes item by item).
            table.grant_read_data(function)
            table.grant(function, *(["dynamodb:UpdateItem"] if TOUCH in access.split("+") else []),
                        *(["dynamodb:DeleteItem"] if ERASE in access.split("+") else []))
            if table.encryption_key is not None:
                # A write to a table under our key uses it as grant_read_write_data's does.
                table.encryption_key.grant(function, "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")
        elif access in (APPEND, QUERY, APPEND_QUERY):
            # Named actions alone: neither grant_read_data (GetItem, Scan, ...) nor any update or delete.
            parts = access.split("+")
            table.grant(function, *(["dynamodb:PutItem"] if APPEND in parts else []),
                        *(["dynamodb:Query"] if QUERY in parts else []))
            if table.encryption_key is not None:
                # DynamoDB decrypts the table key under our key for a read or a write alike.
                table.encryption_key.grant(function, "kms:Decrypt", "kms:DescribeKey", *(
                    ["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"] if APPEND in parts else []))
        else:
            raise ValueError(f"function '{name}': unknown access {access!r} to '{logical}'")
