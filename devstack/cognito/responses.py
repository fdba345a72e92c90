"""moto's cognito-idp responses, patched where Cognito answers otherwise, and the
request's context (what a response method knows and the backend does not).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

REQUEST = threading.local()


@contextmanager
def context(**values):
    saved = {name: getattr(REQUEST, name, None) for name in values}
    for name, value in values.items():
        setattr(REQUEST, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(REQUEST, name, value)


def patch_responses() -> None:
    from moto.cognitoidp.models import cognitoidp_backends, find_account_region_by_value
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    def backend_for(response, client_id):
        account, region = find_account_region_by_value("client_id", client_id,
                                                        fallback=(response.current_account, response.region))
        return cognitoidp_backends[account][region]

    def confirm_sign_up(self):
        client_id = self._get_param("ClientId")
        backend_for(self, client_id).confirm_sign_up(client_id, self._get_param("Username"),
                                                     self._get_param("ConfirmationCode"))
        return EmptyResult()

    def resend_confirmation_code(self):
        client_id = self._get_param("ClientId")
        return ActionResult(backend_for(self, client_id).resend_confirmation_code(client_id,
                                                                                  self._get_param("Username")))

    def forgot_password(self):
        # Cognito sends the code; it is not in the answer (moto puts it in a header).
        client_id = self._get_param("ClientId")
        _, answer = backend_for(self, client_id).forgot_password(client_id, self._get_param("Username"))
        return ActionResult(answer)

    create_user = CognitoIdpResponse.admin_create_user
    sign_up = CognitoIdpResponse.sign_up

    def admin_create_user(self):
        with context(delivery=self._get_param("DesiredDeliveryMediums"),
                     client_metadata=self._get_param("ClientMetadata")):
            return create_user(self)

    def sign_up_with_trigger_data(self):
        # What the pre sign-up trigger is given besides the attributes (devstack/cognito/triggers.py).
        with context(validation_data=self._get_param("ValidationData"),
                     client_metadata=self._get_param("ClientMetadata")):
            return sign_up(self)

    CognitoIdpResponse.confirm_sign_up = confirm_sign_up
    CognitoIdpResponse.resend_confirmation_code = resend_confirmation_code
    CognitoIdpResponse.forgot_password = forgot_password
    CognitoIdpResponse.admin_create_user = admin_create_user
    CognitoIdpResponse.sign_up = sign_up_with_trigger_data
