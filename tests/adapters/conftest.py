"""Adapter tests run against a real moto server over HTTP, started and stopped here."""
import os
import uuid

import pytest

from devstack import aws
from ringback.accounts.provisioning import Directories
from ringback.adapters import dynamo, dynamo_accounts, memory
from ringback.adapters.tables import bind_tables


@pytest.fixture(scope="session")
def local_aws():
    server = aws.MotoServer(aws.free_port()).start()
    saved = {k: os.environ.get(k) for k in aws.LOCAL_CREDENTIALS}
    os.environ.update(aws.LOCAL_CREDENTIALS)
    settings = aws.local_settings(server.url, "http://127.0.0.1:1", stage=f"t{uuid.uuid4().hex[:6]}")
    aws.create_tables(settings)
    aws.create_buckets(settings)
    bind_tables(settings.table_names(), settings.region, settings.aws_endpoint_url)
    yield settings
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(params=["memory", "dynamodb"])
def backend(request):
    """The same port, as the fake and as the real adapter: one contract for both."""
    if request.param == "memory":
        return Directories(memory.MemoryTenants(), memory.MemorySites(), memory.MemoryPools()), memory.MemoryCallLog()
    request.getfixturevalue("local_aws")
    directories = Directories(dynamo_accounts.DynamoTenants(), dynamo.DynamoSites(), dynamo.DynamoPools())
    return directories, dynamo.DynamoCallLog()


@pytest.fixture
def uid():
    """Ids unique to one test, so tests share the moto server without seeing each other."""
    token = uuid.uuid4().hex[:8]
    return lambda name: f"{name}-{token}"


@pytest.fixture(params=["memory", "dynamodb"])
def lease_backend(request):
    """(pools directory, lease store, visits) as fakes or on DynamoDB."""
    if request.param == "memory":
        store = memory.MemoryLeaseStore()
        return memory.MemoryPools(store), store, memory.MemoryVisits()
    from ringback.adapters.dynamo_leases import DynamoLeaseStore

    request.getfixturevalue("local_aws")
    return dynamo.DynamoPools(), DynamoLeaseStore(), dynamo.DynamoVisits()
