"""A site's webhook endpoints through the management API, as a customer's admin manages
them: add one (its secret shown once), read, change, remove; rotate the secret with a
day's overlap; a test delivery the receiver can verify; and the refusals (no version, a
stale one, a URL that reaches inside a network, an analyst, another tenant)."""
import json
from dataclasses import replace

import pytest

from ringback.accounts.tenants import Principal
from ringback.accounts.webhook_endpoints import MAX_ENDPOINTS, WebhookEndpoints
from ringback.calls.events import ROTATION_OVERLAP_MS, verify, verify_standard
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000


class Receiver:
    """The customer's endpoint: answers `status`, or fails to answer (an OSError)."""

    def __init__(self):
        self.status, self.received = 200, []

    def __call__(self, url, body, headers):
        self.received.append((url, body, headers))
        if isinstance(self.status, OSError):
            raise self.status
        return self.status


@pytest.fixture
def receiver():
    return Receiver()


@pytest.fixture
def svc(receiver):
    def with_receiver(services):
        return replace(services, webhooks=WebhookEndpoints(services.sites, services.audit, receiver))

    with shop_and_other(NOW, with_receiver) as services:
        yield services


def call(method, path, user="u-admin", body=None, etag=None):
    return call_function("pool", method, path, user, body, {"If-Match": etag} if etag else None)


@pytest.fixture
def site(svc):
    status, created, _ = call("POST", "/v1/sites", body={"name": "Joe's Plumbing", "domains": ["joes.example"]})
    assert status == 201, created
    return created["siteId"]


def etag(site):
    return call("GET", f"/v1/sites/{site}/webhooks")[2]["ETag"]


def add(site, **fields):
    status, hook, headers = call("POST", f"/v1/sites/{site}/webhooks",
                                 body={"url": "https://crm.example/hooks", **fields}, etag=etag(site))
    assert status == 201, hook
    return hook, headers


def audit_entries(svc):
    return svc.audit.read(svc.scope_for(Principal("u-owner"), None))["entries"]


def test_an_admin_adds_an_endpoint_and_sees_its_secret_only_once(svc, site):
    hook, headers = add(site)
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
    assert headers["Cache-Control"] == "no-store" and headers["ETag"] == '"v2"'
    assert {k: hook[k] for k in ("url", "events", "enabled", "createdAt", "previousSecretExpiresAt")} == {
        "url": "https://crm.example/hooks", "events": ["*"], "enabled": True, "createdAt": NOW,
        "previousSecretExpiresAt": None}
    status, listed, headers = call("GET", f"/v1/sites/{site}/webhooks", "u-analyst")
    assert status == 200 and headers["ETag"] == '"v2"'
    assert listed["webhooks"] == [{k: v for k, v in hook.items() if k != "secret"}]
    status, one, _ = call("GET", f"/v1/sites/{site}/webhooks/{hook['webhookId']}", "u-analyst")
    assert status == 200 and "secret" not in json.dumps(one) and hook["secret"] not in json.dumps(one)
    # Nor is it in the site's own answer, or the audit log.
    assert hook["secret"] not in json.dumps(call("GET", f"/v1/sites/{site}")[1])
    assert hook["secret"] not in json.dumps(audit_entries(svc))
    assert "webhook.created" in {e["action"] for e in audit_entries(svc)}


def test_every_change_names_the_version_it_read(svc, site):
    hook, headers = add(site)
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}"
    status, refused, _ = call("PATCH", path, body={"enabled": False})
    assert status == 428 and refused["error"]["code"] == "version_required"
    status, refused, _ = call("PATCH", path, body={"enabled": False}, etag='"v1"')
    assert status == 412 and refused["error"]["code"] == "stale_version"
    assert call("POST", f"/v1/sites/{site}/webhooks", body={"url": "https://b.example/in"})[0] == 428
    assert call("DELETE", path, etag='"v1"')[0] == 412
    assert call("POST", path + "/secret", etag='"v1"')[0] == 412
    status, changed, headers = call("PATCH", path, body={"enabled": False, "events": ["call.missed"]},
                                    etag=headers["ETag"])
    assert status == 200 and (changed["enabled"], changed["events"]) == (False, ["call.missed"])
    assert headers["ETag"] == '"v3"'
    # The site's ETag is the same version: a site update read before this change is refused too.
    assert call("GET", f"/v1/sites/{site}")[2]["ETag"] == '"v3"'


@pytest.mark.parametrize("body,field,code", [
    ({"url": "http://crm.example/hooks"}, "url", "invalid_webhook_url"),
    ({"url": "https://169.254.169.254/latest/meta-data/"}, "url", "invalid_webhook_url"),
    ({"url": "https://10.0.0.8/hooks"}, "url", "invalid_webhook_url"),
    ({"url": "https://localhost:9001/hooks"}, "url", "invalid_webhook_url"),
    ({"url": "https://crm.example/hooks", "events": ["call.unheard_of"]}, "events.0", "invalid_field"),
    ({"url": "https://crm.example/hooks", "events": []}, "events", "invalid_field"),
    ({"url": "https://crm.example/hooks", "secret": "mine-mine-mine-mine-mine"}, None, "invalid_field"),
    ({"events": ["call.missed"]}, None, "invalid_field"),
])
def test_a_bad_endpoint_is_refused_naming_the_field(svc, site, body, field, code):
    status, refused, _ = call("POST", f"/v1/sites/{site}/webhooks", body=body, etag=etag(site))
    assert status == 400 and refused["error"]["code"] == code, refused
    assert refused["error"]["details"]["field"] == field, refused


def test_a_test_delivery_is_signed_so_the_receiver_verifies_it(svc, site, receiver):
    hook, _ = add(site)
    status, result, _ = call("POST", f"/v1/sites/{site}/webhooks/{hook['webhookId']}/test")
    assert status == 200 and result["delivered"] is True and result["status"] == 200, result
    url, body, headers = receiver.received[-1]
    event = json.loads(body)
    assert url == "https://crm.example/hooks" and event["type"] == "webhook.test"
    assert event["site_id"] == site and headers["webhook-id"] == event["id"] == result["eventId"]
    assert hook["signatureScheme"] == "standard-webhooks" and "Ringback-Signature" not in headers
    assert verify_standard(hook["secret"], headers, body, NOW // 1000)
    assert not verify_standard(hook["secret"], headers, body + b" ", NOW // 1000)


def test_a_test_delivery_says_what_went_wrong(svc, site, receiver):
    hook, _ = add(site)
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}/test"
    receiver.status = 503
    status, result, _ = call("POST", path)
    assert status == 200 and (result["delivered"], result["status"]) == (False, 503) and "503" in result["error"]
    receiver.status = ConnectionRefusedError(111, "Connection refused")
    status, result, _ = call("POST", path)
    assert (result["delivered"], result["status"]) == (False, None) and "refused" in result["error"]


def test_a_rotated_secret_overlaps_the_old_one_for_a_day(svc, site, receiver):
    hook, headers = add(site)
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}"
    status, rotated, headers = call("POST", path + "/secret", etag=headers["ETag"])
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert rotated["secret"] != hook["secret"] and rotated["previousSecretExpiresAt"] == NOW + ROTATION_OVERLAP_MS
    call("POST", path + "/test")
    _, body, sent = receiver.received[-1]
    # Standard Webhooks: one signature per secret, separated by a space.
    assert len(sent["webhook-signature"].split(" ")) == 2
    assert verify_standard(hook["secret"], sent, body, NOW // 1000)
    assert verify_standard(rotated["secret"], sent, body, NOW // 1000)
    # A day later the old secret is dropped.
    svc.clock.advance(seconds=ROTATION_OVERLAP_MS // 1000)
    call("POST", path + "/test")
    _, body, sent = receiver.received[-1]
    now_s = svc.clock.now_ms() // 1000
    assert verify_standard(rotated["secret"], sent, body, now_s)
    assert not verify_standard(hook["secret"], sent, body, now_s)
    assert call("GET", path)[1]["previousSecretExpiresAt"] is None
    entries = json.dumps(audit_entries(svc))
    assert "webhook.secret_rotated" in entries
    assert hook["secret"] not in entries and rotated["secret"] not in entries


def test_a_leaked_secret_is_replaced_at_once(svc, site, receiver):
    hook, headers = add(site)
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}"
    status, rotated, _ = call("POST", path + "/secret", body={"overlapSeconds": 0}, etag=headers["ETag"])
    assert status == 200 and rotated["previousSecretExpiresAt"] is None
    call("POST", path + "/test")
    _, body, sent = receiver.received[-1]
    assert not verify_standard(hook["secret"], sent, body, NOW // 1000)
    assert verify_standard(rotated["secret"], sent, body, NOW // 1000)


def test_an_endpoint_may_keep_the_first_signature_format_and_rotate_within_it(svc, site, receiver):
    hook, headers = add(site, signatureScheme="ringback-v1")
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}"
    assert hook["signatureScheme"] == "ringback-v1"
    _, rotated, headers = call("POST", path + "/secret", etag=headers["ETag"])
    call("POST", path + "/test")
    _, body, sent = receiver.received[-1]
    assert "webhook-signature" not in sent and sent["Ringback-Event-Id"]
    assert verify(hook["secret"], sent["Ringback-Signature"], body, NOW // 1000)
    assert verify(rotated["secret"], sent["Ringback-Signature"], body, NOW // 1000)
    # Switched to Standard Webhooks, the same secrets sign the new headers.
    status, changed, _ = call("PATCH", path, body={"signatureScheme": "standard-webhooks"}, etag=headers["ETag"])
    assert status == 200 and changed["signatureScheme"] == "standard-webhooks"
    call("POST", path + "/test")
    _, body, sent = receiver.received[-1]
    assert verify_standard(rotated["secret"], sent, body, NOW // 1000)
    assert verify_standard(hook["secret"], sent, body, NOW // 1000)


def test_an_endpoint_whose_secret_predates_standard_webhooks_is_rotated_before_it_switches(svc, site):
    hook, headers = add(site, signatureScheme="ringback-v1")
    # As stored before secrets were standard base64 (URL-safe, unpadded).
    stored = svc.sites.get(site)
    hooks = [{**h, "secret": "whsec_" + "-_" * 21 + "a"} for h in stored.settings["webhooks"]]
    svc.sites.save(replace(stored, settings={**stored.settings, "webhooks": hooks}), expected_version=stored.version)
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}"
    status, refused, _ = call("PATCH", path, body={"signatureScheme": "standard-webhooks"}, etag=etag(site))
    assert status == 409 and refused["error"]["code"] == "secret_rotation_required"
    assert refused["error"]["details"] == {"field": "signatureScheme"}
    call("POST", path + "/secret", body={"overlapSeconds": 0}, etag=etag(site))
    status, changed, _ = call("PATCH", path, body={"signatureScheme": "standard-webhooks"}, etag=etag(site))
    assert status == 200 and changed["signatureScheme"] == "standard-webhooks"


def test_call_events_go_only_to_the_types_an_endpoint_subscribed_to(svc, site):
    add(site, events=["call.missed"])
    add(site, url="https://other.example/in", enabled=False)
    settings = svc.sites.get(site).settings
    assert svc.events.publish("call.answered", "tw:CA1", "shop", site, settings, {}) == 0
    assert svc.events.publish("call.missed", "tw:CA2", "shop", site, settings, {}) == 1


def test_a_removed_endpoint_is_gone(svc, site):
    hook, headers = add(site)
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}"
    assert call("DELETE", path, etag=headers["ETag"])[0] == 204
    assert call("GET", path)[1]["error"]["code"] == "unknown_webhook"
    assert call("GET", f"/v1/sites/{site}/webhooks")[1]["webhooks"] == []
    deleted = next(e for e in audit_entries(svc) if e["action"] == "webhook.deleted")
    assert (deleted["target"], deleted["before"]["url"], deleted["after"]) == (hook["webhookId"], hook["url"], None)


def test_a_site_holds_a_bounded_number_of_endpoints(svc, site):
    for n in range(MAX_ENDPOINTS):
        add(site, url=f"https://crm{n}.example/in")
    status, refused, _ = call("POST", f"/v1/sites/{site}/webhooks", body={"url": "https://more.example/in"},
                              etag=etag(site))
    assert status == 409 and refused["error"]["code"] == "too_many_webhooks"


def test_an_analyst_reads_but_cannot_change_or_send_and_another_tenant_sees_nothing(svc, site, receiver):
    hook, headers = add(site)
    path = f"/v1/sites/{site}/webhooks/{hook['webhookId']}"
    for method, suffix, body in (("POST", "/test", None), ("POST", "/secret", None), ("PATCH", "", {"enabled": False}),
                                 ("DELETE", "", None)):
        assert call(method, path + suffix, "u-analyst", body, headers["ETag"])[0] == 403
    assert call("POST", f"/v1/sites/{site}/webhooks", "u-analyst", {"url": "https://x.example/in"},
                headers["ETag"])[0] == 403
    for method, suffix, body in (("GET", "", None), ("POST", "/test", None), ("POST", "/secret", None),
                                 ("PATCH", "", {"enabled": False}), ("DELETE", "", None)):
        status, refused, _ = call(method, path + suffix, "u-other", body, headers["ETag"])
        assert status == 404 and refused["error"]["code"] == "unknown_site"
    assert call("GET", f"/v1/sites/{site}/webhooks", None)[0] == 401
    assert len(receiver.received) == 0
