"""The four deployable functions: their folders, apps and what each may touch.

Both the CDK app (to build assets, routes and least-privilege grants) and the local stack
(to serve the same routes on one port) read this one list.
"""
from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = REPO / "functions"
SHARED_PACKAGE = FUNCTIONS_DIR / "ringback"
FRONTEND_DIR = REPO / "frontend"
# Where the dashboard finds its user pool: the deploy writes it from the stack's values
# (infra/constructs/edge.py), the local stack from the local pool's.
DASHBOARD_CONFIG = "app/config.json"

READ, WRITE = "read", "write"
# Read, and UpdateItem only: the authorizer notes a key's last use, and writes nothing else.
TOUCH = "touch"
# An append-only log (webhook deliveries): PutItem and nothing else, not even a read; Query
# and nothing else; or both, for the function that writes it and serves its list.
APPEND, QUERY = "append", "query"
APPEND_QUERY = f"{APPEND}+{QUERY}"
# A caller's erasure (ringback.calls.erasure): read, and DeleteItem (no BatchWriteItem,
# which would allow puts too); TOUCH with it for the calls, whose leads are updated too.
# On a bucket: read, and delete any version of an object.
ERASE = "erase"
TOUCH_ERASE = f"{TOUCH}+{ERASE}"
# What a function does with the call-events queue and the callback dial workflow.
SEND = "send"
START, ANSWER = "start", "answer"
# Values of the application secret (ringback.settings.SECRET_KEYS) a function may read:
# the carrier's account, or the key that stands in for phone numbers in analytics.
CARRIER, ANALYTICS_KEY = "carrier", "analytics_key"
# What a function does with the dashboard's user pool: e-mail invitations (AdminCreateUser).
INVITE = "invite"
# What a function does with the edge's cache (the CloudFront distribution): invalidations.
INVALIDATE = "invalidate"

# The functions import the shared package by name, as they do in Lambda where it sits
# beside app.py; infra reads their apps and the package's definitions the same way.
if str(FUNCTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS_DIR))


@dataclass(frozen=True)
class Sizing:
    memory_mb: int
    timeout_seconds: int


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    description: str
    # logical table name -> READ or WRITE (WRITE includes read)
    tables: dict[str, str]
    # bucket role (recordings, analytics) -> READ or WRITE
    buckets: dict[str, str] = field(default_factory=dict)
    # queue (call_events) -> SEND. A worker that consumes a queue gets that grant from its
    # event source (infra/constructs/dialer.py).
    queues: dict[str, str] = field(default_factory=dict)
    # state machine (callback_dial) -> the actions it takes: START, ANSWER (task tokens)
    workflows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # what it reads of the application secret: CARRIER, ANALYTICS_KEY
    secrets: tuple[str, ...] = ()
    # Report queries on Athena, as ReportQueryRole (infra/constructs/analytics.py)
    report_queries: bool = False
    # the dashboard's user pool -> the actions it takes there: INVITE
    user_pool: tuple[str, ...] = ()
    # the distribution's cache -> INVALIDATE (a site change forgets its cached config:
    # ringback.accounts.edge_cache)
    edge_cache: tuple[str, ...] = ()
    # Enrolls tenant API keys in the API's usage plan and withdraws them
    # (ringback.adapters.usage_plans): API Gateway API keys, created and deleted.
    usage_plan: bool = False
    memory_mb: int = 512
    timeout_seconds: int = 15
    # Other entry points of the same package, each its own Lambda function with the
    # function's role: name -> handler (e.g. a queue consumer).
    workers: dict[str, str] = field(default_factory=dict)
    # A worker's own memory and timeout; a worker not named here runs with the function's.
    worker_sizing: dict[str, Sizing] = field(default_factory=dict)
    # Workers that run with a role of their own instead of the function's, granted these
    # tables (logical name -> READ, WRITE or TOUCH) and nothing else: no secret, bucket,
    # queue, workflow or user pool of the function's. They are told only of those tables.
    worker_tables: dict[str, dict[str, str]] = field(default_factory=dict)
    # Workers with a role of their own that also manage the API keys plan's keys (what
    # `usage_plan` grants), and may list that plan's keys.
    worker_usage_plan: tuple[str, ...] = ()
    # pyproject.toml [project.optional-dependencies] groups this function and its workers
    # ship on top of the shared dependencies, each as its own layer (infra/bundling.py).
    extras: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        return FUNCTIONS_DIR / self.name

    def grants_of(self, worker: str | None = None) -> FunctionSpec:
        """What the function, or one of its workers, runs with: a worker with a role of
        its own (worker_tables) holds that role's grants alone, any other the function's."""
        if worker is None or worker not in self.worker_tables:
            return self
        return FunctionSpec(name=self.name, description=f"{self.description}: {worker}",
                            tables=self.worker_tables[worker], workers={worker: self.workers[worker]},
                            usage_plan=worker in self.worker_usage_plan)


FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="widget",
        description="Public API for the swap script and the callback widget",
        tables={
            "tenants": READ, "sites": READ, "tracking_numbers": READ,
            # A full pool's overflow is counted on the pool item (an ADD, in the transaction
            # that shares a line): UpdateItem, nothing else.
            "pools": TOUCH,
            "pool_slots": WRITE, "leases": WRITE, "lease_history": WRITE, "visits": WRITE,
            "callback_requests": WRITE, "rate_counters": WRITE, "idempotency": WRITE,
        },
        # A visitor's callback request starts its dial.
        workflows={"callback_dial": (START,)},
    ),
    FunctionSpec(
        name="pool",
        description="The management API (sites, numbers, members, API keys, clients, pools, callback retries) "
                    "and the API's authorizer",
        tables={
            "tenants": WRITE, "members": WRITE, "invitations": WRITE, "api_keys": WRITE, "audit_log": WRITE,
            "sites": WRITE,
            "pools": WRITE, "tracking_numbers": WRITE, "pool_slots": WRITE,
            # Released numbers, kept from every buyer for a while (ringback.accounts.purchases).
            "number_quarantine": WRITE,
            "leases": WRITE, "lease_history": WRITE,
            # A member reopens a missed callback request (ringback.callbacks.retries); the
            # install check counts each tenant's checks (ringback.accounts.install_check).
            "callback_requests": WRITE, "rate_counters": WRITE,
            # A test delivery is kept in the endpoint's delivery log, which the dashboard lists.
            "webhook_deliveries": APPEND_QUERY,
        },
        # The reopened request's next dial: StartExecution, as the widget's form starts the first.
        workflows={"callback_dial": (START,)},
        # Tracking numbers are bought from the carrier, each tenant's in its own subaccount
        # (ringback.accounts.number_shop).
        secrets=(CARRIER,),
        # An invitation e-mails the invitee a temporary password (ringback.adapters.cognito_users).
        user_pool=(INVITE,),
        # A changed site's public config is dropped from the edge's cache at once.
        edge_cache=(INVALIDATE,),
        # Each tenant API key gets its own meter in the API's usage plan (ringback.accounts.api_keys).
        usage_plan=True,
        # authorizer: API Gateway's REQUEST authorizer for every tenant route (a Cognito ID
        # token or an API key; ringback.adapters.identity).
        # signup: the user pool's pre sign-up trigger (disposable domains and sign-up rates;
        # ringback.accounts.signup_guard), in a module of its own: no Chalice app to load.
        # enrolment: meters the API keys made before usage plans, on every deploy (a
        # trigger of the stack: infra/constructs/key_enrolment.py; functions/pool/key_enrolment.py).
        workers={"authorizer": "app.authorize", "signup": "signup_trigger.pre_sign_up",
                 "enrolment": "key_enrolment.enrol_existing_keys"},
        # Cognito gives a trigger 5 seconds, and refuses the sign-up when it takes longer.
        # The enrolment waits out API Gateway's throttling of its management API.
        worker_sizing={"authorizer": Sizing(memory_mb=512, timeout_seconds=10),
                       "signup": Sizing(memory_mb=512, timeout_seconds=5),
                       "enrolment": Sizing(memory_mb=256, timeout_seconds=600)},
        # Every request reaches the authorizer, so it holds only what it reads: API keys
        # (and their last use). A Cognito token is checked against the pool's public keys.
        # The trigger counts sign-ups (an UpdateItem ADD) and touches nothing else.
        # The enrolment reads every key (a Scan) and writes none.
        worker_tables={"authorizer": {"api_keys": TOUCH}, "signup": {"rate_counters": TOUCH},
                       "enrolment": {"api_keys": READ}},
        worker_usage_plan=("enrolment",),
    ),
    FunctionSpec(
        name="dialer",
        description="Carrier webhooks, inbound call handling and the callback dial workflow",
        tables={
            "tenants": READ, "sites": READ, "tracking_numbers": READ, "pools": READ,
            "pool_slots": READ, "leases": READ, "lease_history": READ, "visits": READ,
            "calls": WRITE, "callback_requests": WRITE, "callback_legs": WRITE,
            "rate_counters": WRITE, "idempotency": WRITE,
            # Every text sent (missed-call alerts) and its delivery status.
            "messages": WRITE,
            # The events worker keeps each POST to an endpoint; it never reads them back.
            "webhook_deliveries": APPEND,
        },
        buckets={"recordings": WRITE},
        queues={"call_events": SEND},
        # The carrier's status webhooks answer the dial workflow's task tokens.
        workflows={"callback_dial": (ANSWER,)},
        secrets=(CARRIER,),
        timeout_seconds=30,
        # workflow: the callback dial workflow's task handler (plan, ring, abandon), invoked
        # by the Step Functions state machine in infra/statemachines/callback_dial.asl.json.
        workers={"events": "app.deliver_events", "workflow": "app.dial_workflow"},
    ),
    FunctionSpec(
        name="reports",
        description="Analytics events to S3 and the report API",
        tables={
            "tenants": READ, "members": READ, "sites": READ, "pools": READ,
            "lease_history": READ, "visits": READ,
            # What the business says about a call (its lead, tags, notes) is an UpdateItem of
            # those attributes alone (ringback.calls.desk); a call is never put here, and
            # deleted only when the tenant erases its caller (ringback.calls.erasure), as are
            # callback requests, their legs and the texts about them.
            "calls": TOUCH_ERASE,
            "callback_requests": ERASE, "callback_legs": ERASE, "messages": ERASE,
            # Each change of a call's lead, and each erasure, is audited.
            "audit_log": WRITE,
        },
        # Recordings: the dashboard's five-minute links are signed with this role, and an
        # erasure deletes a caller's (every version); the analytics files it rewrites.
        buckets={"analytics": WRITE, "recordings": ERASE},
        # A change of a call's lead is a call.updated event for the site's endpoints.
        queues={"call_events": SEND},
        # The stream worker writes callers' keys (HMACs of their numbers).
        secrets=(ANALYTICS_KEY,),
        report_queries=True,
        memory_mb=1024,
        timeout_seconds=60,
        # changes: the streamed tables' changes, in batches, to Parquet; compact: once a
        # day, merges the small files of the changes into one per partition.
        workers={"changes": "app.record_changes", "compact": "app.compact_changes"},
        worker_sizing={"changes": Sizing(memory_mb=1024, timeout_seconds=120),
                       "compact": Sizing(memory_mb=2048, timeout_seconds=300)},
        # pyarrow writes and reads the Parquet; too big for the shared layer.
        extras=("analytics",),
    ),
)


# Each settings variable that names a resource, and whether a function's declaration uses
# that resource. A function gets the variable only if it does, and then the grant for it
# comes from the same declaration (tests/infra/test_environment_grants.py holds the two
# together). The rest (stage, public URL, endpoint, clock) are every function's.
RESOURCE_VARIABLES: dict[str, Callable[[FunctionSpec], bool]] = {
    "RINGBACK_TABLE_PREFIX": lambda spec: bool(spec.tables),
    "RINGBACK_RECORDINGS_BUCKET": lambda spec: "recordings" in spec.buckets,
    "RINGBACK_ANALYTICS_BUCKET": lambda spec: "analytics" in spec.buckets,
    "RINGBACK_FRONTEND_BUCKET": lambda spec: "frontend" in spec.buckets,
    "RINGBACK_EVENTS_QUEUE_URL": lambda spec: spec.queues.get("call_events") == SEND,
    "RINGBACK_DIAL_WORKFLOW_ARN": lambda spec: bool(spec.workflows.get("callback_dial")),
    "RINGBACK_SECRETS_ARN": lambda spec: bool(spec.secrets),
    "RINGBACK_ANALYTICS_DATABASE": lambda spec: spec.report_queries,
    "RINGBACK_ATHENA_WORKGROUP": lambda spec: spec.report_queries,
    "RINGBACK_REPORT_ROLE_ARN": lambda spec: spec.report_queries,
    # Only the authorizer checks tokens against the user pool; the function it belongs to
    # is told too (the ids are public), and a function that acts on the pool (user_pool,
    # granted on it) names it by this id.
    "RINGBACK_USER_POOL_ID": lambda spec: "authorizer" in spec.workers or bool(spec.user_pool),
    "RINGBACK_USER_POOL_CLIENT_ID": lambda spec: "authorizer" in spec.workers,
    "RINGBACK_DISTRIBUTION_ID": lambda spec: INVALIDATE in spec.edge_cache,
    # Set only outside AWS (the local carrier), and only where the carrier is used.
    "RINGBACK_TWILIO_API_BASE_URL": lambda spec: CARRIER in spec.secrets,
    "RINGBACK_TWILIO_ACCOUNT_SID": lambda spec: CARRIER in spec.secrets,
    "RINGBACK_TWILIO_AUTH_TOKEN": lambda spec: CARRIER in spec.secrets,
}

# Lambda sets these itself and rejects a function whose environment names them.
RESERVED_ENVIRONMENT = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME"})


def function_environment(settings, spec: FunctionSpec, worker: str | None = None) -> dict[str, str]:
    """The environment of one function (or one of its workers): the settings it needs,
    and nothing that names a resource it does not use. CDK deploys exactly this, and the
    local stack starts each function's process with it."""
    env = {
        name: value for name, value in settings.as_environment().items()
        if name not in RESERVED_ENVIRONMENT and RESOURCE_VARIABLES.get(name, lambda _: True)(spec.grants_of(worker))
    }
    env.update(
        POWERTOOLS_SERVICE_NAME=f"{spec.name}-{worker}" if worker else spec.name,
        POWERTOOLS_LOG_LEVEL="INFO",
        POWERTOOLS_METRICS_NAMESPACE="Ringback",
    )
    return env


def function_spec(name: str) -> FunctionSpec:
    return next(spec for spec in FUNCTIONS if spec.name == name)


@cache
def load_app(name: str):
    """Import functions/<name>/app.py as it runs in Lambda, where the shared package sits
    beside app.py, and return its Chalice app."""
    module_name = f"ringback_function_{name}"
    # Lambda runs app.py from the folder it sits in, so the function's own modules (the
    # pool function's pool_api package) import by name; each function names its own
    # packages apart from the others', since one process may load all four apps.
    folder = str(FUNCTIONS_DIR / name)
    if folder not in sys.path:
        sys.path.append(folder)
    spec = importlib.util.spec_from_file_location(module_name, FUNCTIONS_DIR / name / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module.app
