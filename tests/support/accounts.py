"""Users, tokens and API keys on a local stack, as a customer gets them."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from devstack import aws


def stack_settings(stack):
    return aws.local_settings(stack.moto_url, stack.url, carrier_url=stack.carrier_url)


def user_pool(stack) -> aws.UserPool:
    return aws.UserPool(stack.user_pool_id, stack.client_id, aws.REGION, stack.moto_url)


def new_user_token(stack, email: str, password: str = "Str0ng-Passw0rd!") -> str:
    """A confirmed user of the stack's pool, signed in: their ID token."""
    settings = stack_settings(stack)
    aws.create_user(settings, user_pool(stack), email, password)
    return aws.sign_in(settings, user_pool(stack), email, password)


def call(stack, method: str, path: str, token: str | None = None, body=None, tenant: str | None = None):
    """(status, parsed JSON or raw bytes) of one API request."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    if tenant:
        headers["X-Tenant-Id"] = tenant
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{stack.url}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw
