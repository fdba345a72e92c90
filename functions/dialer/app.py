"""Carrier webhooks (inbound calls to tracking numbers, the legs of callbacks) and the
callback dial workflow's task handler. Every webhook is refused unless the carrier's
signature matches."""
import json
import math
from collections.abc import Mapping
from urllib.parse import urlencode

from chalice import Response

from ringback.accounts.carrier_numbers import SigningTokens
from ringback.adapters import carrier
from ringback.adapters.web import RingbackApp
from ringback.bootstrap import observed, services
from ringback.calls.events import Delivery
from ringback.calls.inbound import IncomingCall
from ringback.errors import InvalidInput
from ringback.settings import Settings

app = RingbackApp("dialer")

FORM = ["application/x-www-form-urlencoded"]


def _settings() -> Settings:
    settings = services().settings
    if settings is None:  # only in-memory services go without (tests of the domain)
        raise RuntimeError("the dialer runs on deployed services, which have settings")
    return settings


def _query_params() -> Mapping[str, str]:
    return app.current_request.query_params or {}


def _signed_form() -> carrier.Form:
    request = app.current_request
    settings = _settings()
    params = carrier.form(request.raw_body)
    # The carrier signed the public URL it called: our origin, the route's path and the
    # query we put on it, in the sorted order we write it in (Callbacks.webhook_url).
    query = _query_params()
    url = settings.public_base_url + request.path + (f"?{urlencode(sorted(query.items()))}" if query else "")
    # Signed with the token of the account that owns the number: ours, or the tenant's
    # subaccount (ringback.accounts.carrier_numbers.SigningTokens).
    # A token rotated since it was read is read again once before a refusal.
    svc = services()
    carrier.verify_current(svc.signing_tokens or SigningTokens(None), svc.carrier_credentials, settings, url, params,
                           request.headers.get("x-twilio-signature"), svc.clock.now_ms())
    return params


def _query(name: str) -> str:
    value = _query_params().get(name)
    if not value or len(value) > 80:
        raise InvalidInput(f"{name} is required", code="invalid_webhook")
    return value


def _twiml(body: str) -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": "text/xml"})


def _answer(params: carrier.Form, digits: str | None) -> Response:
    if not params.get("CallSid") or not params.get("To"):
        raise InvalidInput("CallSid and To are required", code="invalid_webhook")
    svc = services()
    call = IncomingCall(f"{carrier.PROVIDER}:{params['CallSid']}", params["To"], params.get("From") or "anonymous",
                        digits)
    _, plan = svc.inbound.receive(call)
    return _twiml(carrier.render(plan, _settings().public_base_url))


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


def _next_leg() -> int | None:
    """Ringing in order, the destination to ring next (carrier.render writes ?next=N)."""
    raw = _query_params().get("next")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 2:
        raise InvalidInput("next is a destination's index", code="invalid_webhook")
    return int(raw)


@app.route("/v1/carrier/dial-complete", methods=["POST"], content_types=FORM)
def dial_complete():
    params = _signed_form()
    svc = services()
    plan = svc.inbound.dial_ended(
        f"{carrier.PROVIDER}:{params.get('CallSid', '')}",
        params.get("DialCallStatus", "failed"),
        _seconds(params.get("DialCallDuration")),
        params.get("RecordingSid"),
        bridged={"true": True, "false": False}.get(params.get("DialBridged", "").lower()),
        next_leg=_next_leg(),
    )
    return _twiml(carrier.render(plan, svc.settings.public_base_url))


@app.route("/v1/carrier/call-status", methods=["POST"], content_types=FORM)
def call_status():
    """The tracking number's status callback: the call's final status and the caller's
    whole time on the line (CallDuration), kept apart from the <Dial> outcome."""
    params = _signed_form()
    if not params.get("CallSid") or not params.get("CallStatus"):
        raise InvalidInput("CallSid and CallStatus are required", code="invalid_webhook")
    services().inbound.ended(f"{carrier.PROVIDER}:{params['CallSid']}", params["CallStatus"],
                             _seconds(params.get("CallDuration")))
    return Response(body="", status_code=204)


@app.route("/v1/carrier/sms-status", methods=["POST"], content_types=FORM)
def sms_status():
    """A text's status callback (queued, sent, delivered, undelivered, failed; ErrorCode)."""
    params = _signed_form()
    if not params.get("MessageSid") or not params.get("MessageStatus"):
        raise InvalidInput("MessageSid and MessageStatus are required", code="invalid_webhook")
    services().alerts.status(f"{carrier.PROVIDER}:{params['MessageSid']}", params["MessageStatus"],
                             params.get("ErrorCode"))
    return Response(body="", status_code=204)


@app.route("/v1/carrier/sms", methods=["POST"], content_types=FORM)
def sms():
    """A visitor's text to a tracking number (the number's SmsUrl): forwarded to the
    site's contacts; the visitor gets no automatic reply."""
    params = _signed_form()
    if not params.get("MessageSid") or not params.get("To") or not params.get("From"):
        raise InvalidInput("MessageSid, To and From are required", code="invalid_webhook")
    services().texts.received(f"{carrier.PROVIDER}:{params['MessageSid']}", params["To"], params["From"],
                              params.get("Body") or "")
    return _twiml('<?xml version="1.0" encoding="UTF-8"?><Response/>')


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
        # The recording is in the account whose token signed this webhook: the number's owner.
        services().recordings.archive(f"{carrier.PROVIDER}:{params.get('CallSid', '')}", params["RecordingSid"],
                                      account=params.get("AccountSid") or None)
    return Response(body="", status_code=204)


@app.route("/v1/carrier/whisper", methods=["POST"], content_types=FORM)
def whisper():
    params = _signed_form()
    parent = params.get("ParentCallSid") or params.get("CallSid") or ""
    return _twiml(carrier.whisper(services().inbound.whisper_for(f"{carrier.PROVIDER}:{parent}")))


# The stack maps its call-events queue onto this handler (infra/constructs/dialer.py);
# the name here matters only to `chalice deploy`, which we do not use.
@observed
@app.on_sqs_message(queue="ringback-call-events", batch_size=10)
def deliver_events(event):
    """Each message is one delivery. An endpoint that fails is retried by Events itself
    (a new message, later); a delivery that cannot be attempted at all (a message it
    cannot read, a site it cannot read) is named in the partial batch response, so that
    message alone comes back, and the rest of the batch is not posted again."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    svc = services()

    def deliver(record) -> None:
        delivery = Delivery.from_message(json.loads(record.body))
        result = svc.events.deliver(delivery)
        app.logger.info("webhook delivery", extra={"event_id": delivery.event_id, "attempt": delivery.attempt,
                                                   "result": result})

    return process_partial_response(event=event.to_dict(), record_handler=deliver,
                                    processor=BatchProcessor(event_type=EventType.SQS), context=event.context)


# -- callbacks: the operator's and the visitor's legs ------------------------------------


@app.route("/v1/carrier/callbacks/operator", methods=["POST"], content_types=FORM)
def callback_operator_answered():
    params = _signed_form()
    svc = services()
    request_id, leg = _query("request"), _query("leg")
    plan = svc.callbacks.operator_answered(request_id, leg, params.get("CallSid"))
    if plan is None:
        return _twiml(carrier.say_and_hang_up("This callback has been taken. Thank you."))
    visitor_leg = f"{plan.round:02d}#visitor#00"
    return _twiml(carrier.operator_bridge(
        plan,
        status_url=svc.callbacks.webhook_url("status", request=request_id, leg=visitor_leg),
        action_url=svc.callbacks.webhook_url("bridged", request=request_id, round=plan.round),
        recording_url=svc.callbacks.webhook_url("recording", request=request_id),
    ))


@app.route("/v1/carrier/callbacks/status", methods=["POST"], content_types=FORM)
def callback_leg_status():
    params = _signed_form()
    duration = params.get("CallDuration")
    services().callbacks.leg_status(_query("request"), _query("leg"), params.get("CallSid"),
                                    params.get("CallStatus", ""), _seconds(duration) if duration else None)
    return Response(body="", status_code=204)


@app.route("/v1/carrier/callbacks/bridged", methods=["POST"], content_types=FORM)
def callback_bridged():
    params = _signed_form()
    try:
        round_no = int(_query("round"))
    except ValueError:
        raise InvalidInput("round is a number", code="invalid_webhook") from None
    talked = services().callbacks.bridge_complete(
        _query("request"), round_no, params.get("DialCallStatus", "failed"), params.get("DialCallSid"),
        _seconds(params.get("DialCallDuration")),
        {"true": True, "false": False}.get(params.get("DialBridged", "").lower()),
    )
    if talked:
        return _twiml(carrier.hangup())
    return _twiml(carrier.say_and_hang_up("The visitor did not answer. We will try again and let you know."))


@app.route("/v1/carrier/callbacks/recording", methods=["POST"], content_types=FORM)
def callback_recording():
    params = _signed_form()
    if params.get("RecordingStatus", "completed") == "completed" and params.get("RecordingSid"):
        services().callbacks.archive_recording(_query("request"), params["RecordingSid"],
                                               account=params.get("AccountSid") or None)
    return Response(body="", status_code=204)


# -- the dial workflow's task handler (infra/statemachines/callback_dial.asl.json) --------


@observed
@app.lambda_function(name="dial_workflow")
def dial_workflow(event, context):
    svc = services()
    op, request_id = event.get("op"), event.get("request_id")
    if op == "plan":
        step = svc.callbacks.plan(request_id, event.get("last"))
        if step.action == "wait":
            # The product clock may run faster than real time locally (Settings.time_scale).
            return {"action": "wait", "wait_seconds": max(1, math.ceil(step.wait_ms * svc.settings.time_scale / 1000))}
        if step.action == "ring":
            ring = step.ring
            return {"action": "ring", "round": ring.round, "leg_seq": ring.leg_seq, "operators": list(ring.operators),
                    "ring_seconds": ring.ring_seconds, "visitor_ring_seconds": ring.visitor_ring_seconds,
                    "record": ring.record, "timeout_seconds": ring.timeout_seconds}
        return {"action": "done", "status": step.status}
    if op == "ring":
        svc.callbacks.ring(request_id, event["ring"], event["task_token"])
        return {"placed": True}
    if op == "abandon":
        svc.callbacks.abandon(request_id, event.get("error"))
        return {"abandoned": True}
    raise ValueError(f"unknown workflow op {op!r}")
