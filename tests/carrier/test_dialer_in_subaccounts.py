"""The dialer's adapter (TwilioCarrier) acting in a tenant's subaccount with our main
account's credentials, against the local carrier as Twilio behaves: a call or text from the
subaccount's number works there and is refused in the main account (21210, 21606), and a
recording made in the subaccount is fetched and deleted there."""
import pytest

from devstack.carrier import Party
from ringback.adapters.carrier import TwilioCarrier
from ringback.callbacks.model import CallRefused
from ringback.calls.alerts import SmsRefused
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN, wait_for

OPERATOR, CONTACT = "+14155550199", "+14155550177"
THEIRS = "+14155550160"  # the tenant's number, in its subaccount


@pytest.fixture
def tenant(carrier, open_subaccount):
    account = open_subaccount("Acme")
    carrier.add_number(THEIRS, account_sid=account.sid)
    return account.sid


@pytest.fixture
def dialer(carrier):
    return TwilioCarrier(ACCOUNT_SID, AUTH_TOKEN, carrier.url)


def test_a_call_from_the_tenants_number_is_placed_in_its_subaccount_and_refused_in_ours(carrier, app, tenant,
                                                                                      dialer):
    carrier.script(OPERATOR, Party(answer_after=60))
    answer, status = app.on("/answer", "<Response/>"), app.url + "/status"

    with pytest.raises(CallRefused) as refused:
        dialer.place_call(OPERATOR, THEIRS, answer, status, 15)
    call_id = dialer.place_call(OPERATOR, THEIRS, answer, status, 15, account=tenant)
    dialer.cancel(call_id, account=tenant)

    assert refused.value.code == "21210"
    carrier.wait_idle()
    call = carrier.calls[call_id]
    assert (call.account_sid, call.from_, call.status) == (tenant, THEIRS, "canceled")


def test_a_text_from_the_tenants_number_goes_from_its_subaccount(carrier, app, tenant, dialer):
    with pytest.raises(SmsRefused) as refused:
        dialer.send_sms(CONTACT, THEIRS, "Missed call", app.url + "/sms")
    message_id = dialer.send_sms(CONTACT, THEIRS, "Missed call", app.url + "/sms", account=tenant)

    assert refused.value.code == "21606"
    [message] = carrier.messages(to=CONTACT)
    assert f"tw:{message.sid}" == message_id and message.account_sid == tenant


def test_a_recording_in_the_subaccount_is_fetched_and_deleted_there(carrier, app, tenant, dialer):
    carrier.script(OPERATOR, Party(answer_after=1, speaks_for=2))
    answer = app.on("/answer", f'<Response><Record maxLength="5" recordingStatusCallback="{app.url}/rec"/></Response>')
    dialer.place_call(OPERATOR, THEIRS, answer, app.url + "/status", 15, account=tenant)
    [posted] = wait_for(lambda: app.requests_to("/rec"), what="the recording")
    sid = posted["RecordingSid"]

    audio = dialer.download_recording(sid, account=tenant)
    dialer.delete_recording(sid, account=tenant)

    assert audio[:4] == b"RIFF" and posted["AccountSid"] == tenant
    assert carrier.recordings[sid].deleted
