"""Who is texted about a site's missed calls and missed callbacks, through the API.

The contacts are Site.alert_contacts (numbers in E.164), which calls/alerts.py texts
about every missed call and missed callback alike; each contact is an object
(`{"number": …}`) so that a later choice of what to be texted about fits beside it. The
list is replaced whole, at the version the caller read (If-Match), and refused (409
no_sms_number) for a site none of whose tracking numbers can text: the carrier refuses
such a sender (21606), and the texts would fail one by one instead.
"""
from __future__ import annotations

from typing import Any

from ringback.accounts import numbers as number_rules
from ringback.accounts.audit import Audit
from ringback.accounts.provisioning import Directories, e164, set_alert_contacts
from ringback.accounts.site_parts import site_at, site_of
from ringback.accounts.sites import Site
from ringback.accounts.tenants import WRITE, TenantScope
from ringback.errors import InvalidInput

MAX_CONTACTS = 10
CONTACTS = {
    "type": "object", "additionalProperties": False, "required": ["contacts"],
    "properties": {"contacts": {"type": "array", "maxItems": MAX_CONTACTS, "items": {
        "type": "object", "additionalProperties": False, "required": ["number"],
        "properties": {"number": {"type": "string", "minLength": 1, "maxLength": 32}}}}},
}


class AlertContacts:
    def __init__(self, dirs: Directories, audit: Audit) -> None:
        self._dirs, self._audit = dirs, audit

    def get(self, scope: TenantScope, site_id: str) -> tuple[dict[str, Any], int]:
        site = site_of(self._dirs.sites, scope, site_id)
        return self._json(site), site.version

    def replace(self, scope: TenantScope, site_id: str, body: dict[str, Any], version: int | None,
                now_ms: int) -> tuple[dict[str, Any], int]:
        scope.require(WRITE)
        site = site_at(self._dirs.sites, scope, site_id, version)
        numbers: list[str] = []
        for index, contact in enumerate(body["contacts"]):
            try:
                number = e164(contact["number"], site.country)
            except InvalidInput as error:
                raise InvalidInput(error.message, code=error.code,
                                   details={"field": f"contacts.{index}.number"}) from None
            if number not in numbers:
                numbers.append(number)
        changed = set_alert_contacts(self._dirs, site_id, numbers, expected_version=site.version)
        self._audit.record(scope, "alert_contacts.updated", site_id, self._json(site)["contacts"],
                           self._json(changed)["contacts"], now_ms)
        return self._json(changed), changed.version

    def _json(self, site: Site) -> dict[str, Any]:
        # Which number the texts go from (the caller's tracking number when it can text, else this one).
        sender = number_rules.sms_sender(self._dirs.pools.site_numbers(site.site_id))
        return {"contacts": [{"number": n} for n in site.alert_contacts], "sender": sender}
