import pytest

from tests.support.stack import Stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The local stack, started as `make dev` starts it, once per test module. Stopping
    it fails the module if any function was refused by IAM (Stack.stop)."""
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()
