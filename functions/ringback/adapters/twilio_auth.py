"""The twilio REST client, authenticated with the carrier account's auth token as it is
now rather than as it was at a cold start.

twilio's Client keeps the (SID, token) pair it was made with and hands it to its HTTP
client on every request. Ours puts the current token in instead (CarrierCredentials, read
through the application secret's TTL), and when the carrier answers 401 (the token was
rotated at the carrier before our cache expired) reads the secret again once and, if the
token changed, sends the same request again: a 401 means the carrier did nothing with it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from twilio.http.http_client import TwilioHttpClient

if TYPE_CHECKING:
    from ringback.adapters.secrets import CarrierCredentials


class CurrentTokenHttpClient(TwilioHttpClient):
    def __init__(self, credentials: CarrierCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        response = super().request(method, url, params, data, headers, self._auth(), timeout, allow_redirects)
        if response.status_code == 401 and self._credentials.refresh():
            response = super().request(method, url, params, data, headers, self._auth(), timeout, allow_redirects)
        return response

    def _auth(self) -> tuple[str, str]:
        return self._credentials.account_sid, self._credentials.auth_token or ""


def rest_client(credentials: CarrierCredentials, api_base_url: str | None):
    from twilio.rest import Client

    client = Client(credentials.account_sid, credentials.auth_token,
                    http_client=CurrentTokenHttpClient(credentials))
    if api_base_url:  # the local carrier; production talks to Twilio itself
        client.api.base_url = api_base_url
    return client


def credentials_of(account_sid: str, auth_token: str | CarrierCredentials) -> CarrierCredentials:
    from ringback.adapters.secrets import CarrierCredentials

    return auth_token if isinstance(auth_token, CarrierCredentials) else CarrierCredentials(account_sid, auth_token)
