"""Invitations e-mailed through the dashboard's Cognito user pool
(ringback.ports.UserInviter).

AdminCreateUser makes the invitee a user whose address is verified and has Cognito
e-mail them a temporary password, with the pool's invitation template
(infra/constructs/auth.py). At their first SRP sign-in Cognito asks for a password of
their own (NEW_PASSWORD_REQUIRED); their first GET /v1/me then takes the invitation
(ringback.accounts.members). The function needs cognito-idp:AdminCreateUser on the pool,
and nothing else: a resend is the same action.
"""
from __future__ import annotations

import logging
from typing import NoReturn

import boto3
from botocore.exceptions import ClientError

from ringback.errors import Unavailable

log = logging.getLogger(__name__)

# Cognito could not send the e-mail now (its own sending quota, throttling, an outage):
# worth trying again later, unlike a refusal of the request itself.
_TRY_LATER = {"CodeDeliveryFailureException", "LimitExceededException", "TooManyRequestsException",
              "InternalErrorException", "ServiceUnavailable", "ThrottlingException"}


class CognitoUserInviter:
    def __init__(self, user_pool_id: str, region: str | None = None, endpoint_url: str | None = None,
                 client=None) -> None:
        self._pool, self._region, self._endpoint_url = user_pool_id, region, endpoint_url
        self._client = client

    def invite(self, email: str) -> bool:
        try:
            self._create_user(email, UserAttributes=[{"Name": "email", "Value": email},
                                                     {"Name": "email_verified", "Value": "true"}])
            return True
        except ClientError as error:
            if _code(error) != "UsernameExistsException":
                _refused(error)
        # Someone invited the address before and its user has not set a password yet
        # (perhaps never got the e-mail, perhaps let the temporary password expire, after
        # TemporaryPasswordValidityDays, well before the invitation does): a fresh one,
        # which replaces the old. Any other user (one who signed up, confirmed or not)
        # keeps the password they chose and is sent nothing.
        try:
            self._create_user(email, MessageAction="RESEND")
            return True
        except ClientError as error:
            if _code(error) == "UnsupportedUserStateException":
                return False
            _refused(error)

    def _create_user(self, email: str, **arguments) -> None:
        # Made on the first invitation, not at start: the authorizer worker, built from
        # the same settings, never invites and keeps its cold start short.
        if self._client is None:
            self._client = boto3.client("cognito-idp", region_name=self._region, endpoint_url=self._endpoint_url)
        self._client.admin_create_user(UserPoolId=self._pool, Username=email, DesiredDeliveryMediums=["EMAIL"],
                                       **arguments)


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _refused(error: ClientError) -> NoReturn:
    """Unavailable if a later try may succeed; else the error itself (a 500, with its
    trace in the log), since no retry mends it: a missing grant, a pool that is gone."""
    if _code(error) in _TRY_LATER:
        log.warning("invitation e-mail not sent: %s", _code(error))
        raise Unavailable("the invitation e-mail could not be sent now; try again shortly",
                          code="invitation_not_sent") from error
    raise error
