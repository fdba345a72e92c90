"""The API's authorizer, standing in for unit tests of a function's routes (chalice's
local client): the Authorization header is the signed-in user's sub, and the context the
function receives has the shape our REQUEST authorizer gives (ringback.adapters.identity).
The real authorizer is exercised end to end in tests/e2e/test_isolation_matrix.py."""


class PrincipalFromHeader:
    def authorize(self, raw_path, lambda_event, lambda_context):
        user = lambda_event["headers"].get("authorization")
        if user:
            lambda_event["requestContext"]["authorizer"] = {"sub": user, "email": f"{user}@test"}
        return lambda_event, lambda_context


def call_function(name: str, method: str, path: str, user: str | None, body=None, headers=None):
    """(status, JSON body or None, headers) of one request to function `name`'s routes,
    signed in as `user` (a sub) or anonymous."""
    import json

    from chalice.test import Client

    from infra.catalog import load_app

    with Client(load_app(name)) as client:
        client.http._local_gateway._authorizer = PrincipalFromHeader()
        response = client.http.request(
            method, path, body=json.dumps(body).encode() if body is not None else b"",
            headers={"Content-Type": "application/json", **({"Authorization": user} if user else {}),
                     **(headers or {})})
        return response.status_code, json.loads(response.body) if response.body else None, response.headers
