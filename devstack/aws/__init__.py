"""moto in server mode, and the resources the CDK app would have created in it.

One module a concern; every name is importable from here (`from devstack import aws`,
then `aws.client(...)`), which is how the local stack, the tests and the benchmarks use it:
- account.py: the local account's credentials, region and id, settings and clients;
- moto_process.py: the moto server as a child process;
- resources.py: tables, buckets, queues, the dial workflow, the secret, usage plans, the distribution;
- user_pool.py: the dashboard's user pool and its users.
"""
from __future__ import annotations

from devstack.aws.account import (
    ACCOUNT_ID,
    CARRIER_ACCOUNT_SID,
    CARRIER_AUTH_TOKEN,
    LOCAL_CREDENTIALS,
    REGION,
    client,
    local_settings,
)
from devstack.aws.moto_process import INSTANCE_PATH, MotoServer, free_port
from devstack.aws.resources import (
    create_app_secrets,
    create_buckets,
    create_dial_workflow,
    create_distribution,
    create_events_queue,
    create_table_request,
    create_tables,
    create_usage_plans,
    queue_name,
    workflow_function_name,
)
from devstack.aws.user_pool import (
    UserPool,
    create_user,
    create_user_pool,
    sign_in,
    user_pool_client_request,
    user_pool_request,
)

__all__ = [
    "ACCOUNT_ID", "CARRIER_ACCOUNT_SID", "CARRIER_AUTH_TOKEN", "INSTANCE_PATH", "LOCAL_CREDENTIALS", "REGION",
    "MotoServer", "UserPool", "client", "create_app_secrets", "create_buckets", "create_dial_workflow",
    "create_distribution", "create_events_queue", "create_table_request", "create_tables", "create_usage_plans",
    "create_user", "create_user_pool", "free_port", "local_settings", "queue_name", "sign_in",
    "user_pool_client_request", "user_pool_request", "workflow_function_name",
]
