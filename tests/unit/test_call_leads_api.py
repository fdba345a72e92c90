"""A call's lead through the dashboard API, as the shop's people use it: qualify a call,
mark a sale with its value, tag it, write notes, mark it followed up; two people editing
at once never overwrite each other; an analyst reads only; another tenant's call does not
exist; every change is audited and tells the shop's CRM (call.updated)."""
import json
from dataclasses import replace
from urllib.parse import quote

import pytest

from ringback.accounts.sites import Site
from ringback.accounts.tenants import Principal
from ringback.adapters.memory import MemoryDeliveryQueue
from ringback.calls.events import Events
from ringback.calls.leads import MAX_NOTES
from ringback.calls.log import CallSummary
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
CALL = "tw:CA0001"
PATH = f"/v1/calls/{quote(CALL)}"
HOOK_SECRET = "whsec_" + "0" * 40


@pytest.fixture
def queue():
    return MemoryDeliveryQueue()


@pytest.fixture
def svc(queue):
    def with_queue(services):
        return replace(services, events=Events(queue, lambda *a: 200, services.clock, services.sites))

    with shop_and_other(NOW, with_queue) as services:
        services.sites.save(Site("s-shop", "shop", "Shop", "pk_shop", frozenset({"shop.example"}), settings={
            "webhooks": [{"id": "wh_all", "url": "https://crm.example/in", "secret": HOOK_SECRET},
                         {"id": "wh_missed", "url": "https://other.example/in", "secret": HOOK_SECRET,
                          "events": ["call.missed"]}]}))
        services.calls.add("shop", CallSummary(CALL, "s-shop", "+14155550101", "+14155550011", NOW - 60_000,
                                               "answered", {"source": "google", "campaign": "spring"}))
        services.calls.add("other", CallSummary("tw:CA0999", "s-other", "+14155550109", "+14155550012",
                                                NOW - 60_000, "answered"))
        yield services


def call(method, path=PATH, user="u-admin", body=None, etag=None):
    return call_function("reports", method, path, user, body, {"If-Match": etag} if etag else None)


def patch(lead, etag='"v0"', user="u-admin"):
    return call("PATCH", body={"lead": lead}, user=user, etag=etag)


def updates(queue):
    return [d for d in queue.take_all() if d.event_type == "call.updated"]


def test_a_new_call_is_an_unqualified_lead_and_reads_the_same_alone_and_in_the_log(svc):
    status, one, headers = call("GET")
    assert status == 200 and headers["ETag"] == '"v0"'
    assert one["lead"] == {"status": "new", "value": None, "currency": None, "tags": [], "notes": [],
                           "updated_by": None, "updated_at": None, "follow_up": "open"}
    assert one["lead_version"] == 0
    _, listed, _ = call("GET", "/v1/calls")
    assert listed["calls"] == [one]


def test_marking_a_sale_keeps_its_value_its_tags_and_who_marked_it(svc):
    status, changed, headers = patch({"status": "sale", "value": 120.5, "tags": [" VIP ", "Repeat", "vip"]})
    assert status == 200 and headers["ETag"] == '"v1"'
    assert {k: changed["lead"][k] for k in ("status", "value", "currency", "tags", "updated_by", "updated_at")} == {
        "status": "sale", "value": 120.5, "currency": "USD", "tags": ["vip", "repeat"],
        "updated_by": "u-admin@test", "updated_at": NOW}
    # What is left out stays as it was; the status and the outcome are the carrier's, untouched.
    status, changed, headers = patch({"tags": ["vip"], "currency": "eur"}, etag=headers["ETag"])
    assert status == 200 and headers["ETag"] == '"v2"'
    assert (changed["lead"]["status"], changed["lead"]["value"], changed["lead"]["currency"],
            changed["lead"]["tags"]) == ("sale", 120.5, "EUR", ["vip"])
    assert changed["status"] == "answered"
    assert call("GET")[1] == changed


def test_a_call_that_stops_being_a_sale_loses_its_value(svc):
    _, _, headers = patch({"status": "sale", "value": 99})
    status, changed, _ = patch({"status": "lead"}, etag=headers["ETag"])
    assert status == 200 and (changed["lead"]["status"], changed["lead"]["value"], changed["lead"]["currency"]) == (
        "lead", None, None)


def test_two_people_editing_one_call_never_overwrite_each_other(svc):
    status, first, _ = patch({"status": "lead"}, user="u-admin")
    assert status == 200
    # The owner read the call before the admin's change: refused, nothing written.
    status, refused, _ = patch({"status": "spam"}, etag='"v0"', user="u-owner")
    assert status == 412 and refused["error"]["code"] == "stale_version"
    assert refused["error"]["details"] == {"current": 1}
    status, refused, _ = patch({"status": "spam"}, etag=None, user="u-owner")
    assert status == 428 and refused["error"]["code"] == "version_required"
    assert call("GET")[1]["lead"]["status"] == "lead"
    assert patch({"status": "spam"}, etag='"v1"', user="u-owner")[0] == 200


def test_a_change_that_changes_nothing_keeps_the_version(svc):
    _, _, headers = patch({"status": "lead", "tags": ["a"]})
    status, same, again = patch({"status": "lead", "tags": ["A "]}, etag=headers["ETag"])
    assert status == 200 and again["ETag"] == headers["ETag"] == '"v1"'


@pytest.mark.parametrize("body,field,code", [
    ({"lead": {"status": "hot"}}, "lead.status", "invalid_field"),
    ({"lead": {"value": 5}}, "lead.value", "value_needs_sale"),
    ({"lead": {"status": "sale", "value": -1}}, "lead.value", "invalid_field"),
    ({"lead": {"status": "sale", "value": "12"}}, "lead.value", "invalid_field"),
    ({"lead": {"status": "sale", "currency": "dollars"}}, "lead.currency", "invalid_field"),
    ({"lead": {"tags": [f"t{i}" for i in range(21)]}}, "lead.tags", "invalid_field"),
    ({"lead": {"tags": ["x" * 41]}}, "lead.tags", "invalid_field"),
    ({"lead": {"tags": ["   "]}}, "lead.tags", "invalid_field"),
    ({"lead": {"tags": ["a,b"]}}, "lead.tags", "invalid_field"),
    ({"lead": {"tags": [3]}}, "lead.tags.0", "invalid_field"),
    ({"lead": {"followUp": "later"}}, "lead.followUp", "invalid_field"),
    ({"lead": {}}, "lead", "invalid_field"),
    ({"lead": {"status": "lead"}, "extra": 1}, None, "invalid_field"),
    ({"status": "lead"}, None, "invalid_field"),
])
def test_a_change_it_cannot_mean_is_refused_and_changes_nothing(svc, body, field, code):
    status, refused, _ = call("PATCH", body=body, etag='"v0"')
    assert status == 400 and refused["error"]["code"] == code
    assert refused["error"].get("details", {}).get("field") == field
    assert call("GET")[2]["ETag"] == '"v0"'


def test_an_if_match_that_is_no_etag_of_ours_is_refused(svc):
    status, refused, _ = patch({"status": "lead"}, etag="abc")
    assert status == 400 and refused["error"]["code"] == "invalid_if_match"


def test_notes_are_kept_on_the_call_with_their_author_and_time(svc):
    status, note, headers = call("POST", f"{PATH}/notes", body={"text": "  Wants a quote for two boilers. "})
    assert status == 201 and headers["ETag"] == '"v1"'
    assert note == {"noteId": note["noteId"], "text": "Wants a quote for two boilers.", "author": "u-admin@test",
                    "at": NOW}
    call("POST", f"{PATH}/notes", user="u-owner", body={"text": "Called back, quote sent."})
    lead = call("GET")[1]["lead"]
    assert [(n["text"], n["author"]) for n in lead["notes"]] == [
        ("Wants a quote for two boilers.", "u-admin@test"), ("Called back, quote sent.", "u-owner@test")]
    assert lead["notes"][0]["note_id"] == note["noteId"] and lead["updated_by"] == "u-owner@test"
    # A note moves the version: an edit read before it must read again.
    assert patch({"status": "lead"}, etag='"v0"')[0] == 412


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {"text": "x" * 2001}, {"text": 5}, {}])
def test_a_note_without_text_or_too_long_is_refused(svc, body):
    status, refused, _ = call("POST", f"{PATH}/notes", body=body)
    assert status == 400 and refused["error"]["code"] == "invalid_field"
    assert call("GET")[1]["lead"]["notes"] == []


def test_a_call_keeps_a_bounded_number_of_notes(svc):
    for n in range(MAX_NOTES):
        assert call("POST", f"{PATH}/notes", body={"text": f"note {n}"})[0] == 201
    status, refused, _ = call("POST", f"{PATH}/notes", body={"text": "one more"})
    assert status == 409 and refused["error"]["code"] == "too_many_notes"
    assert len(call("GET")[1]["lead"]["notes"]) == MAX_NOTES


def test_an_analyst_reads_a_call_but_may_not_change_it(svc):
    assert call("GET", user="u-analyst")[0] == 200
    status, refused, _ = patch({"status": "lead"}, user="u-analyst")
    assert status == 403 and refused["error"]["code"] == "role_forbidden"
    status, refused, _ = call("POST", f"{PATH}/notes", user="u-analyst", body={"text": "hi"})
    assert status == 403 and refused["error"]["code"] == "role_forbidden"
    assert call("GET")[1]["lead"]["status"] == "new"


def test_another_tenants_call_does_not_exist_for_reading_or_writing(svc):
    for method, path, body in (("GET", PATH, None), ("PATCH", PATH, {"lead": {"status": "spam"}}),
                               ("POST", f"{PATH}/notes", {"text": "mine now"})):
        status, refused, _ = call(method, path, user="u-other", body=body, etag='"v0"')
        assert status == 404 and refused["error"]["code"] == "unknown_call", method
    assert call("GET", "/v1/calls/tw%3ACA0999")[0] == 404  # and the shop cannot reach theirs
    assert call("GET", "/v1/calls/tw%3Anothing")[0] == 404
    assert call("GET")[1]["lead"]["notes"] == []


def test_every_change_is_in_the_audit_log_with_who_made_it(svc):
    patch({"status": "sale", "value": 10})
    svc.clock.advance(seconds=1)
    call("POST", f"{PATH}/notes", body={"text": "Paid by card."})
    entries = svc.audit.read(svc.scope_for(Principal("u-owner"), None))["entries"]
    assert [(e["action"], e["target"], e["actor"]) for e in entries] == [
        ("call.note_added", CALL, "user:u-admin"), ("call.lead_changed", CALL, "user:u-admin")]
    changed = entries[1]
    assert (changed["before"]["status"], changed["after"]["status"], changed["after"]["value"]) == ("new", "sale", 10)
    assert entries[0]["after"]["text"] == "Paid by card."


def test_the_shops_crm_hears_of_each_change_once(svc, queue):
    queue.take_all()
    _, _, headers = patch({"status": "lead", "tags": ["vip"]})
    call("POST", f"{PATH}/notes", body={"text": "Call back Monday."})
    patch({"followUp": "done"}, etag='"v2"')
    sent = updates(queue)
    # Only the endpoint that takes every type; the one subscribed to call.missed hears nothing.
    assert {d.endpoint.webhook_id for d in sent} == {"wh_all"}
    assert [d.event_id for d in sent] == [f"call.updated:{CALL}:v1", f"call.updated:{CALL}:v2",
                                         f"call.updated:{CALL}:v3"]
    first, note, done = (json.loads(d.body()) for d in sent)
    assert first["type"] == "call.updated" and first["data"]["changed"] == ["status", "tags"]
    assert (first["data"]["lead"]["status"], first["data"]["lead"]["tags"]) == ("lead", ["vip"])
    assert first["data"]["call_id"] == CALL and first["data"]["caller"] == "+14155550011"
    assert note["data"]["note"]["text"] == "Call back Monday." and note["data"]["lead"]["notes_count"] == 1
    assert "notes" not in note["data"]["lead"]  # the count, not every note's text
    assert done["data"]["changed"] == ["follow_up"] and done["data"]["lead"]["follow_up"] == "done"
    # A refused change tells nobody.
    patch({"status": "spam"}, etag='"v0"')
    assert updates(queue) == []


def test_an_endpoint_may_subscribe_to_call_updates_alone(svc):
    status, site, _ = call_function("pool", "POST", "/v1/sites", "u-admin",
                                    {"name": "Second", "domains": ["second.example"]})
    etag = call_function("pool", "GET", f"/v1/sites/{site['siteId']}/webhooks", "u-admin")[2]["ETag"]
    status, hook, _ = call_function("pool", "POST", f"/v1/sites/{site['siteId']}/webhooks", "u-admin",
                                    {"url": "https://crm.example/updates", "events": ["call.updated"]},
                                    {"If-Match": etag})
    assert status == 201 and hook["events"] == ["call.updated"]
