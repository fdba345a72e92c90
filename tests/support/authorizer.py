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
