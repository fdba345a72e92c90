"""A text to a tracking number: a lead that did not call.

Visitors text the number they saw as often as they call it (mobile pages show it as a
tel: and an sms: link). The carrier posts each one to the number's SmsUrl, set at
purchase. The text is attributed as a call to the same number would be (the visit that
held the line, or the static number's channel) and forwarded at once to the site's alert
contacts, from the number that was texted, so the business sees who wrote, what, and from
which campaign, and can answer from the same line. The answer to the carrier is empty
TwiML: the visitor gets no automatic reply.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringback.errors import NotFound

if TYPE_CHECKING:
    from ringback.calls.alerts import Alerts
    from ringback.calls.inbound import InboundCalls
    from ringback.ports import MessageLog, NumberDirectory, SiteDirectory

# What the forwarded text quotes of the visitor's: a long text becomes several paid SMS.
QUOTED_CHARACTERS = 300


class InboundTexts:
    def __init__(self, numbers: NumberDirectory, sites: SiteDirectory, inbound: InboundCalls,
                 alerts: Alerts | None, messages: MessageLog) -> None:
        self._numbers, self._sites, self._inbound = numbers, sites, inbound
        self._alerts, self._messages = alerts, messages

    def received(self, message_id: str, to: str, sender: str, body: str) -> dict[str, Any]:
        """Forward the text once (the carrier may post it again); what it was attributed to."""
        tracked = self._numbers.tracking_number(to)
        if tracked is None:
            raise NotFound("not one of our tracking numbers", code="unknown_number")
        site = self._sites.get(tracked.site_id)
        if site is None:
            raise NotFound("the number's site is gone", code="unknown_site")
        attribution = self._inbound.attribution_for(tracked, sender)
        if self._alerts is not None and self._messages.get(message_id) is None:
            self._alerts.text_received(site, site.tenant_id, message_id, sender, tracked.number,
                                       body[:QUOTED_CHARACTERS], attribution)
        return attribution
