"""Getting a test's call past the prompt for the visit's code.

A call to a dynamic pool's number is first asked for the code the visit was shown
(ringback.calls.inbound: a "gather" plan, rendered as a <Gather> with a <Redirect> after
it). Tests about routing, alerts and recordings are not about the code: their caller
skips it, the way the carrier goes on when nothing is keyed.
"""
import xml.etree.ElementTree as ET
from dataclasses import replace
from urllib.parse import urlsplit


def receive(inbound, call, code=""):
    """InboundCalls.receive as the carrier drives it: a call asked for its code comes back
    with `code` keyed ("": skipped). Other answers are returned as they are."""
    record, plan = inbound.receive(call)
    if plan.action == "gather" and call.digits is None:
        return inbound.receive(replace(call, digits=code))
    return record, plan


def past_the_gather(response, post, params, code=None):
    """What the call goes on with after the voice webhook answered `response`. For a
    <Gather> (the code prompt) the caller keys `code`, which the carrier posts to the
    gather's action as Digits; or keys nothing (None), and the carrier goes on to the next
    verb: the <Redirect> to voice-without-code, with the call's parameters again.
    `post(path, params)` sends a signed webhook. Any other answer is returned as it is."""
    if response.status_code != 200:
        return response
    twiml = ET.fromstring(response.body)
    gather = twiml.find("Gather")
    if gather is None:
        return response
    if code is None:
        return post(urlsplit(twiml.find("Redirect").text).path, params)
    return post(urlsplit(gather.get("action")).path, {**params, "Digits": code})
