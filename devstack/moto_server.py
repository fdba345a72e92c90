"""moto's server, closer to DynamoDB in two ways the product depends on.

1. Atomicity. Real DynamoDB evaluates a condition expression and applies the write
   atomically, and runs a transaction all-or-nothing against concurrent writers. moto's
   threaded server does not: two concurrent conditional writes can both pass their
   condition. The lease allocator's guarantees rest on that atomicity, so DynamoDB
   requests are served one at a time here; every other service stays concurrent (Step
   Functions waits, for one, sleep).
2. Cost. moto makes a transaction all-or-nothing by deep-copying every table it touches
   before each transaction, so a transaction's cost grows with the tables' size (the
   lease history grows all day). Here the rollback copies only the items the transaction
   touches: the same all-or-nothing outcome, at a cost independent of table size.
3. Step Functions. State machines execute, and their Lambda tasks reach our real
   handlers (see _step_functions_run_our_handlers).
4. IAM, when asked (devstack/iam.py).
5. Cognito. The user pool refuses what the deployed one refuses (weak and wrong
   passwords, SRP proofs included, unconfirmed users, wrong codes, auth flows the app
   client does not allow), and mails its codes to a local mailbox read at
   GET /_local/mailbox?to=<email> (devstack/cognito/).

    python -m devstack.moto_server PORT
"""
from __future__ import annotations

import copy
import os
import sys
import threading
import urllib.parse
import urllib.request

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

from devstack import cognito
from devstack.shutdown import die_with_parent, exit_at_once_on_signal


class SerialDynamoDB:
    def __init__(self, app) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self._lock:
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


class _CopyWithoutTables:
    """moto's `copy` module as transact_write_items sees it: tables are not copied."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _touched_items(backend: DynamoDBBackend, transact_items: list[dict]) -> list[tuple]:
    touched = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            continue
        key = op.get("Key") or op.get("Item") or {}
        if table.hash_key_attr not in key:
            continue
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = (DynamoType(key[table.range_key_attr]) if table.has_range_key and table.range_key_attr in key
                     else None)
        if table.has_range_key and range_key is None:
            continue
        touched.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return touched


def _restore(touched: list[tuple]) -> None:
    for table, hash_key, range_key, before in reversed(touched):
        if before is None:
            if table.get_item(hash_key, range_key) is not None:
                table.delete_item(hash_key, range_key)
        elif range_key is not None:
            table.items[hash_key][range_key] = before
        else:
            table.items[hash_key] = before


def _item_level_rollback() -> None:
    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        touched = _touched_items(self, transact_items)
        dynamodb_models.copy = _CopyWithoutTables  # safe: DynamoDB requests are serialized
        try:
            return original(self, transact_items)
        except Exception:
            _restore(touched)
            raise
        finally:
            dynamodb_models.copy = copy

    DynamoDBBackend.transact_write_items = transact_write_items


def _step_functions_run_our_handlers() -> None:
    """moto's Step Functions engine executes state machines, and its Lambda tasks call
    Lambda's Invoke API on this server. Without Docker moto's Lambda answers with canned
    results; here Invoke is forwarded to the local stack's Lambda service
    (devstack/lambdas.py), which runs our real handler and answers as Lambda does,
    x-amz-function-error included, so the state machine's Retry and Catch see real
    errors."""
    from moto.awslambda_simple.models import LambdaSimpleBackend
    from moto.core.config import default_user_config

    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    default_user_config["lambda"] = {"use_docker": False}
    target = os.environ.get("RINGBACK_LOCAL_LAMBDA_URL")
    if not target:
        return

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        data = body.encode() if isinstance(body, str) else (body or b"{}")
        request = urllib.request.Request(
            f"{target}/2015-03-31/functions/{urllib.parse.quote(function_name, safe='')}/invocations",
            data=data, method="POST", headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=900) as answer:
            payload = answer.read()
            error = answer.headers.get("X-Amz-Function-Error")
        if error:
            response_headers["x-amz-function-error"] = error
        response_headers["Content-Length"] = str(len(payload))
        return payload

    LambdaSimpleBackend.invoke = invoke


def main(argv: list[str]) -> None:
    port = int(argv[0])
    os.environ.setdefault("MOTO_PORT", str(port))
    _item_level_rollback()
    _step_functions_run_our_handlers()
    cognito.install()
    # Its state is in memory and goes with the process: told to stop, it ends at once
    # (werkzeug would wait for requests held by a running dial workflow's Wait).
    exit_at_once_on_signal()
    die_with_parent()
    app = SerialDynamoDB(DomainDispatcherApplication(create_backend_app))
    if os.environ.get("RINGBACK_ENFORCE_IAM") == "1":
        # 4. IAM: each function is held to its role's policy (devstack/iam.py).
        from devstack.iam import EnforceIam

        app = EnforceIam(app, os.environ.get("MOTO_ACCOUNT_ID", "123456789012"))
    # 5. Cognito's mail, read as a user reads theirs: outside AWS's API, so outside IAM.
    app = cognito.MailboxEndpoint(app)
    run_simple("127.0.0.1", port, _Instance(app, os.environ.get("RINGBACK_MOTO_INSTANCE", "")), threaded=True,
               request_handler=MotoRequestHandler)


class _Instance:
    """Answers who this server is (devstack.aws.MotoServer checks it started its own)."""

    def __init__(self, app, token: str) -> None:
        self._app, self._token = app, token.encode()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_ringback/instance":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(self._token)))])
            return [self._token]
        return self._app(environ, start_response)


if __name__ == "__main__":
    main(sys.argv[1:])
