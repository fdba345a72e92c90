"""Carrier webhooks: inbound calls to tracking numbers (and, with issue 5, the callback
dial workflow's tasks). Every webhook is refused unless the carrier's signature matches."""
import json

from chalice import Response

from ringback.adapters import carrier
from ringback.adapters.web import RingbackApp
from ringback.bootstrap import services
from ringback.errors import InvalidInput
from ringback.events import Delivery
from ringback.inbound import IncomingCall

app = RingbackApp("dialer")

FORM = ["application/x-www-form-urlencoded"]


def _signed_form() -> dict[str, str]:
    request = app.current_request
    settings = services().settings
    params = carrier.form(request.raw_body)
    # The carrier signed the public URL it called: our origin plus the route's path.
    carrier.verify(settings.twilio_auth_token, settings.public_base_url + request.path, params,
                   request.headers.get("x-twilio-signature"))
    return params


def _twiml(body: str) -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": "text/xml"})


def _answer(params: dict[str, str], digits: str | None) -> Response:
    if not params.get("CallSid") or not params.get("To"):
        raise InvalidInput("CallSid and To are required", code="invalid_webhook")
    svc = services()
    call = IncomingCall(f"{carrier.PROVIDER}:{params['CallSid']}", params["To"], params.get("From") or "anonymous",
                        digits)
    _, plan = svc.inbound.receive(call)
    return _twiml(carrier.render(plan, svc.settings.public_base_url))


@app.route("/v1/carrier/voice", methods=["POST"], content_types=FORM)
def voice():
    params = _signed_form()
    return _answer(params, params.get("Digits"))


@app.route("/v1/carrier/voice-without-code", methods=["POST"], content_types=FORM)
def voice_without_code():
    return _answer(_signed_form(), "")


def _seconds(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        raise InvalidInput("durations are whole seconds", code="invalid_webhook") from None


@app.route("/v1/carrier/dial-complete", methods=["POST"], content_types=FORM)
def dial_complete():
    params = _signed_form()
    svc = services()
    call = svc.inbound.complete(
        f"{carrier.PROVIDER}:{params.get('CallSid', '')}",
        params.get("DialCallStatus", "failed"),
        _seconds(params.get("DialCallDuration")),
        params.get("RecordingSid"),
        bridged={"true": True, "false": False}.get(params.get("DialBridged", "").lower()),
    )
    return _twiml(carrier.after_dial(call.status not in ("answered", "voicemail"), svc.settings.public_base_url))


@app.route("/v1/carrier/voicemail-saved", methods=["POST"], content_types=FORM)
def voicemail_saved():
    params = _signed_form()
    svc = services()
    svc.inbound.voicemail(f"{carrier.PROVIDER}:{params.get('CallSid', '')}", params.get("RecordingSid"),
                          _seconds(params.get("RecordingDuration")))
    return _twiml(carrier.hangup())


@app.route("/v1/carrier/recording", methods=["POST"], content_types=FORM)
def recording():
    params = _signed_form()
    if params.get("RecordingStatus", "completed") == "completed" and params.get("RecordingSid"):
        services().recordings.archive(f"{carrier.PROVIDER}:{params.get('CallSid', '')}", params["RecordingSid"])
    return Response(body="", status_code=204)


@app.route("/v1/carrier/whisper", methods=["POST"], content_types=FORM)
def whisper():
    params = _signed_form()
    parent = params.get("ParentCallSid") or params.get("CallSid") or ""
    return _twiml(carrier.whisper(services().inbound.whisper_for(f"{carrier.PROVIDER}:{parent}")))


# The stack maps its call-events queue onto this handler (infra/constructs/dialer.py);
# the name here matters only to `chalice deploy`, which we do not use.
@app.on_sqs_message(queue="ringback-call-events", batch_size=10)
def deliver_events(event):
    svc = services()
    for record in event:
        delivery = Delivery.from_message(json.loads(record.body))
        result = svc.events.deliver(delivery)
        app.logger.info("webhook delivery", extra={"event_id": delivery.event_id, "attempt": delivery.attempt,
                                                   "result": result})
