"""The callback's outbound dialler: the real twilio client (TwilioCarrier) against the local
carrier, and the in-memory fake, held to the same contract."""
import pytest

from devstack.carrier import Party
from ringback.adapters.carrier import TwilioCarrier
from ringback.adapters.memory import MemoryDialer
from ringback.callbacks.model import CallRefused
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN

OPERATOR, SITE = "+14155550199", "+14155550100"


@pytest.fixture(params=["memory", "carrier"])
def dialer(request):
    if request.param == "memory":
        return MemoryDialer(), None
    carrier = request.getfixturevalue("carrier")
    return TwilioCarrier(ACCOUNT_SID, AUTH_TOKEN, carrier.url), carrier


def test_placing_a_call_returns_the_carriers_call_id(dialer, app):
    adapter, carrier = dialer
    if carrier is not None:
        carrier.script(OPERATOR, Party(answer_after=1, talk_for=1))
    answer = app.on("/answer", "<Response><Say>Callback from the demo site.</Say></Response>")
    call_id = adapter.place_call(OPERATOR, SITE, answer, app.url + "/status", 15)
    assert call_id.startswith("CA") and len(call_id) == 34
    if carrier is None:
        return
    carrier.wait_idle()
    # The operator's phone rang from the site's number; on answer the carrier fetched our
    # TwiML and reported every progress event.
    call = carrier.calls[call_id]
    assert (call.to, call.from_, call.status) == (OPERATOR, SITE, "completed")
    assert app.requests_to("/answer")[0]["CallSid"] == call_id
    assert [p["CallStatus"] for p in app.requests_to("/status")] == ["initiated", "ringing", "in-progress", "completed"]


def test_cancelling_a_ringing_call_ends_it(dialer, app):
    adapter, carrier = dialer
    if carrier is not None:
        carrier.script(OPERATOR, Party(answer_after=60))
    call_id = adapter.place_call(OPERATOR, SITE, app.url + "/answer", app.url + "/status", 30)
    adapter.cancel(call_id)
    adapter.cancel(call_id)  # again: harmless
    if carrier is None:
        assert adapter.cancelled == [call_id, call_id]
        return
    carrier.wait_idle()
    assert carrier.calls[call_id].status in ("canceled", "completed")
    assert app.requests_to("/answer") == []


def test_a_caller_id_the_account_does_not_own_is_refused_and_no_call_is_placed(request, app):
    # The memory fake is told which numbers the account may call from; the carrier knows.
    carrier = request.getfixturevalue("carrier")
    for adapter in (MemoryDialer(caller_ids={SITE}), TwilioCarrier(ACCOUNT_SID, AUTH_TOKEN, carrier.url)):
        with pytest.raises(CallRefused) as refused:
            adapter.place_call(OPERATOR, "+14155550142", app.url + "/answer", app.url + "/status", 15)
        assert refused.value.code == "21210" and "+14155550142" in str(refused.value)
    assert carrier.calls == {} and app.requests_to("/answer") == []
