"""moto's user pool, patched: usernames, and the tokens it issues.

Usernames and e-mail aliases match without case unless the pool says otherwise. The ID
token carries the user's attributes (email, email_verified as a boolean) and both tokens
live as long as the app client says.
"""
from __future__ import annotations

from typing import Any


def patch_pool() -> None:
    from moto.cognitoidp.models import CognitoIdpUserPool

    get_user = CognitoIdpUserPool._get_user

    def _get_user(self, username):
        """Usernames and e-mail aliases match without case unless the pool says otherwise."""
        user = get_user(self, username)
        case_sensitive = (self.extended_config.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
        if user is not None or not username or case_sensitive:
            return user
        folded = username.casefold()
        attributes = self.extended_config.get("UsernameAttributes") or []
        for candidate in self.users.values():
            names = [candidate.username] + [candidate.attribute_lookup.get(a) for a in attributes]
            if any(name and str(name).casefold() == folded for name in names):
                return candidate
        return None

    def get_user_extra_data_by_client_id(self, client_id, username):
        """The ID token's claims: every attribute the client may read, as Cognito types them."""
        client = self.clients.get(client_id)
        readable = client.get_readable_fields() if client else []
        claims: dict[str, Any] = {}
        for attribute in self._get_user(username).attributes:
            name, value = attribute["Name"], attribute["Value"]
            if name == "sub" or (readable and name not in readable):
                continue
            if name in ("email_verified", "phone_number_verified"):
                value = str(value).lower() == "true"
            claims[name] = value
        return claims

    create_jwt = CognitoIdpUserPool.create_jwt
    unit_seconds = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

    def _create_jwt(self, client_id, username, token_use, expires_in=None, extra_data=None):
        if expires_in is None:
            # As long as the app client says (IdTokenValidity, in TokenValidityUnits); 1 hour by default.
            config = self.clients[client_id].extended_config if client_id in self.clients else {}
            kind = {"id": "IdToken", "access": "AccessToken"}[token_use]
            validity = config.get(f"{kind}Validity")
            unit = (config.get("TokenValidityUnits") or {}).get(kind, "hours")
            expires_in = int(validity) * unit_seconds[unit] if validity else 3600
        return create_jwt(self, client_id, username, token_use, expires_in, extra_data)

    CognitoIdpUserPool._get_user = _get_user
    CognitoIdpUserPool.get_user_extra_data_by_client_id = get_user_extra_data_by_client_id
    CognitoIdpUserPool.create_jwt = _create_jwt
