"""Who a request comes from: the API's authorizer turns an Authorization header into a
Principal, and API Gateway hands that principal to every function as its context.

Two kinds of credential open the same routes: a Cognito ID token (the dashboard) and an
API key (a customer's code, ringback.accounts.api_keys). The same check runs as a Lambda
REQUEST authorizer in AWS and inside the local gateway (devstack/gateway.py), so a token
or a key that AWS would refuse is refused here too.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ringback.accounts.api_keys import looks_like_key
from ringback.accounts.tenants import Principal
from ringback.errors import Unauthenticated

_log = logging.getLogger("ringback.authorizer")


class CognitoTokens:
    """What API Gateway's Cognito authorizer checked, checked here: the signature against
    the pool's published keys, expiry, issuer, audience (our app client) and token use."""

    def __init__(self, issuer: str, client_id: str, jwks_url: str) -> None:
        # Here, not at module level: PyJWT and cryptography are most of a cold import of
        # the pool function, whose management routes never check a token.
        import jwt

        self._issuer, self._client_id = issuer, client_id
        # Keys are fetched once per cold start and again only for an unknown key id.
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600)

    def principal(self, token: str) -> Principal:
        import jwt

        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=self._client_id, issuer=self._issuer,
                                options={"require": ["exp", "iss", "sub", "aud", "token_use"]}, leeway=5)
        except (jwt.PyJWTError, jwt.PyJWKClientError) as error:
            raise Unauthenticated(f"invalid token: {error}", code="invalid_token") from None
        if claims.get("token_use") != "id":
            raise Unauthenticated("an ID token is needed", code="invalid_token")
        # Only an address Cognito has verified may take an invitation sent to it.
        verified = claims.get("email_verified") in (True, "true")
        return Principal(user_id=claims["sub"], email=claims.get("email", "") if verified else "")


def bearer(header: str | None) -> str:
    if not header:
        raise Unauthenticated("an Authorization header is needed", code="unauthenticated")
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value else header.strip()


def authenticate(header: str | None, tokens: CognitoTokens | None, keys, now_ms: int) -> Principal:
    token = bearer(header)
    if looks_like_key(token):
        return keys.authenticate(token, now_ms)
    if tokens is None:
        raise Unauthenticated("no user pool is configured here", code="unauthenticated")
    return tokens.principal(token)


def context_of(principal: Principal) -> dict[str, str]:
    """The principal as an authorizer context: API Gateway passes only flat strings."""
    context = {"sub": principal.user_id, "email": principal.email}
    if principal.key_id:
        context |= {"keyId": principal.key_id, "keyTenant": principal.key_tenant or "",
                    "keyAccess": principal.key_access or ""}
    return context


def principal_from(context: dict[str, Any]) -> Principal | None:
    """The principal back from API Gateway's requestContext.authorizer."""
    if not context or not context.get("sub"):
        return None
    return Principal(user_id=str(context["sub"]), email=str(context.get("email") or ""),
                     key_id=context.get("keyId") or None, key_tenant=context.get("keyTenant") or None,
                     key_access=context.get("keyAccess") or None)


def authorizer_response(event: dict, authenticate_header: Callable[[str | None], Principal],
                        usage_identifier: Callable[[Principal], str]) -> dict:
    """A REQUEST authorizer's answer: Allow with the principal as context, or
    'Unauthorized' (API Gateway's 401, which our gateway responses shape as JSON).

    `usageIdentifierKey` names the usage plan key that meters the caller (the API reads
    keys from the authorizer: infra/constructs/api.py); without one API Gateway answers
    403 on the tenant routes, which all require a key."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    try:
        principal = authenticate_header(headers.get("authorization"))
    except Unauthenticated as refused:
        # Why, for whoever reads the logs; never the credential itself.
        _log.warning("refused: %s (%s)", refused.message, refused.code)
        raise Exception("Unauthorized") from None  # the exact text API Gateway maps to 401
    return {
        "principalId": principal.actor,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]},
        "context": context_of(principal),
        "usageIdentifierKey": usage_identifier(principal),
    }
