"""Every tenant route, tried by everyone who must be refused, over HTTP on the local stack.

The matrix is generated from the functions' route table (infra.catalog), so a new route
is tried the day it is added: a write route with no sample body here fails the suite
until it gets one. The refusals come from the real path: the local gateway, the pool
function's authorizer worker in its own process, the handler's scope and role checks.
"""
import pytest

from devstack import aws
from devstack.demo import DEMO_EMAIL, DEMO_PASSWORD
from infra.catalog import FUNCTIONS, load_app
from tests.support.accounts import accept_invitation, call, new_user_token, stack_settings, user_pool
from tests.support.calls import call_after_a_visit, http
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

REFUSED = (401, 403, 404)
CSV = "date,source,medium,campaign,spend,currency\n2026-03-01,google,cpc,winter,10.00,USD\n"
# A valid body for every write route, so that a refusal is the authorization's, never a 400.
BODIES = {
    ("POST", "/v1/invitations"): {"email": "someone@intruder.example", "role": "admin"},
    ("PATCH", "/v1/account"): {"name": "Taken over", "kind": "agency"},
    ("PATCH", "/v1/members/{user_id}"): {"role": "owner"},
    ("POST", "/v1/api-keys"): {"name": "intruder", "access": "write"},
    ("POST", "/v1/clients"): {"name": "Intruder client"},
    ("POST", "/v1/ad-spend"): CSV,
    ("POST", "/v1/sites"): {"name": "Intruder", "domains": ["intruder.example"]},
    ("PATCH", "/v1/sites/{site}"): {"name": "Taken over"},
    ("POST", "/v1/sites/{site}/pools"): {"name": "Intruder pool", "numbers": {"count": 1}},
    ("PATCH", "/v1/pools/{pool_id}"): {"name": "Taken over"},
    ("POST", "/v1/pools/{pool_id}/numbers"): {"count": 1},
    ("POST", "/v1/sites/{site}/numbers"): {"number": "+14155550150", "channel": {"utm_source": ["google"]}},
    ("PUT", "/v1/sites/{site}/routing"): {"destinations": ["+14155550111"], "recording": {"enabled": False}},
    ("PUT", "/v1/sites/{site}/widget"): {"theme": {"texts": {"en": {"title": "Taken over"}}}},
    ("PATCH", "/v1/sites/{site}/numbers/{number}"): {"channel": {"utm_source": ["intruder"]}},
    ("PUT", "/v1/sites/{site}/numbers/{number}/routing"): {"destinations": ["+13035550190"]},
    ("PUT", "/v1/sites/{site}/rule-order"): {"order": ["+14155550150"]},
    ("POST", "/v1/sites/{site}/webhooks"): {"url": "https://intruder.example/hooks"},
    ("PATCH", "/v1/sites/{site}/webhooks/{webhook_id}"): {"url": "https://intruder.example/hooks"},
    ("PUT", "/v1/sites/{site}/alert-contacts"): {"contacts": [{"number": "+14155550111"}]},
    ("PUT", "/v1/sites/{site}/callbacks"): {"enabled": True, "operators": ["+14155550111"]},
    ("POST", "/v1/caller-ids"): {"number": "+14155550111", "friendlyName": "Intruder"},
    ("POST", "/v1/sites/{site}/install-check"): {"url": "https://intruder.example/"},
    ("PATCH", "/v1/calls/{call_id}"): {"lead": {"status": "spam"}},
    ("POST", "/v1/calls/{call_id}/notes"): {"text": "Taken over"},
}
# Path parameters that name something of a tenant (a report's name is the catalogue's).
OWNED = ("call_id", "request_id", "pool_id", "user_id", "invitation_id", "key_id", "site", "number",
         "webhook_id")
# Reads only the tenant's managers (owners, admins; the audit log: owners) may make.
MANAGERS_ONLY = {"/v1/api-keys", "/v1/audit"}
# Writes that take no body.
NO_BODY = {("POST", "/v1/sites/{site}/site-key"), ("POST", "/v1/sites/{site}/webhooks/{webhook_id}/secret"),
           ("POST", "/v1/sites/{site}/webhooks/{webhook_id}/test"),
           ("POST", "/v1/callback-requests/{request_id}/retry")}


def tenant_routes():
    for spec in FUNCTIONS:
        for path, methods in load_app(spec.name).routes.items():
            for method, entry in methods.items():
                if entry.authorizer is not None:
                    yield method, path


ROUTES = sorted(tenant_routes(), key=lambda r: (r[1], r[0]))
WRITES = [r for r in ROUTES if r[0] != "GET"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    try:
        # Tenant A is the demo tenant, with a call, a callback, a pool, an analyst, keys.
        owner = aws.sign_in(stack_settings(stack), user_pool(stack), DEMO_EMAIL, DEMO_PASSWORD)
        sid = call_after_a_visit(stack, "matrix-0001", "matrix", "+14155550177")
        status, accepted = http("POST", f"{stack.url}/v1/callbacks",
                                {"siteKey": stack.site_key, "phone": "+14155550178", "country": "US"},
                                {"Origin": stack.site_url})
        assert status == 202, accepted
        invited = call(stack, "POST", "/v1/invitations", owner, {"email": "analyst@demo.example", "role": "analyst"})
        assert invited[0] == 201
        analyst = accept_invitation(stack, "analyst@demo.example")
        status, me = call(stack, "GET", "/v1/me", analyst)
        assert status == 200 and [m["role"] for m in me["memberships"]] == ["analyst"], me
        analyst_id = me["user"]["userId"]
        status, invitation = call(stack, "POST", "/v1/invitations", owner, {"email": "later@demo.example",
                                                                             "role": "analyst"})
        keys = {}
        for access in ("read", "write", "revoked"):
            status, key = call(stack, "POST", "/v1/api-keys", owner,
                               {"name": access, "access": "read" if access == "read" else "write"})
            assert status == 201, key
            keys[access] = key
        assert call(stack, "DELETE", f"/v1/api-keys/{keys['revoked']['keyId']}", owner)[0] == 204
        # Tenant B: a stranger who signed up on their own.
        stranger = new_user_token(stack, "stranger@elsewhere.example")
        assert call(stack, "GET", "/v1/me", stranger)[0] == 200
        status, pools = call(stack, "GET", "/v1/pools", owner)
        version = call(stack, "GET", f"/v1/sites/{stack.site_id}", owner)[1]["version"]
        status, hook = call(stack, "POST", f"/v1/sites/{stack.site_id}/webhooks", owner,
                            {"url": "https://crm.example/hooks"}, if_match=f'"v{version}"')
        assert status == 201, hook
        samples = {
            "call_id": f"tw:{sid}", "request_id": accepted["requestId"], "pool_id": pools["pools"][0]["poolId"],
            "name": "calls_by_source", "user_id": analyst_id, "invitation_id": invitation["invitationId"],
            "key_id": keys["read"]["keyId"], "site": stack.site_id,
            # A tracking number of the demo site, URL-encoded as a client writes it.
            "number": "%2B14155550150", "webhook_id": hook["webhookId"],
        }
        yield stack, {"owner": owner, "analyst": analyst, "stranger": stranger,
                      "read_key": keys["read"]["secret"], "write_key": keys["write"]["secret"],
                      "revoked_key": keys["revoked"]["secret"]}, samples
    finally:
        stack.stop()


def concrete(path, samples):
    for name, value in samples.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"{path}: add a sample id for it to the matrix"
    return path


def attempt(stack, method, template, samples, token, tenant=None):
    body = BODIES.get((method, template))
    if method not in ("GET", "DELETE") and body is None and (method, template) not in NO_BODY:
        pytest.fail(f"{method} {template}: add a valid sample body to BODIES so the matrix can try it")
    path = concrete(template, samples)
    if isinstance(body, str):
        import urllib.request
        request = urllib.request.Request(f"{stack.url}{path}", data=body.encode(), method=method,
                                         headers={"Content-Type": "text/csv",
                                                  **({"Authorization": token} if token else {}),
                                                  **({"X-Tenant-Id": tenant} if tenant else {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
    return call(stack, method, path, token, body, tenant)


def test_the_matrix_covers_every_tenant_route():
    assert len(ROUTES) >= 20 and WRITES


@pytest.mark.parametrize("method,path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_nobody_without_credentials_gets_in(world, method, path):
    stack, _, samples = world
    status, body = attempt(stack, method, path, samples, None)
    assert status == 401, body


@pytest.mark.parametrize("method,path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_revoked_key_gets_nowhere(world, method, path):
    stack, who, samples = world
    status, body = attempt(stack, method, path, samples, who["revoked_key"])
    assert status == 401, body


@pytest.mark.parametrize("method,path", [r for r in ROUTES if r[1] != "/v1/me"],
                         ids=[f"{m} {p}" for m, p in ROUTES if p != "/v1/me"])
def test_another_tenants_user_cannot_reach_the_demo_tenant(world, method, path):
    stack, who, samples = world
    status, body = attempt(stack, method, path, samples, who["stranger"], tenant=stack.tenant_id)
    assert status in REFUSED, (status, body)
    if any("{" + p + "}" in path for p in OWNED):  # nor reach its things from their own tenant
        status, body = attempt(stack, method, path, samples, who["stranger"])
        assert status in REFUSED, (status, body)


@pytest.mark.parametrize("method,path", WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_an_analyst_and_a_read_only_key_cannot_write(world, method, path):
    stack, who, samples = world
    for caller in ("analyst", "read_key"):
        status, body = attempt(stack, method, path, samples, who[caller])
        assert status == 403, (caller, status, body)


def test_the_same_callers_are_let_in_where_they_belong(world):
    """The control: the refusals above are the checks', not a broken setup."""
    stack, who, samples = world
    for method, path in ROUTES:
        if method == "GET" and "{" not in path:
            callers = ("owner",) if path in MANAGERS_ONLY else ("owner", "analyst", "read_key", "stranger")
            for caller in callers:
                status, body = attempt(stack, method, path, samples, who[caller])
                assert status == 200, (caller, path, status, body)
    for caller in ("analyst", "read_key"):
        assert attempt(stack, "GET", "/v1/api-keys", samples, who[caller])[0] == 403
    # An endpoint's delivery list is read as the site is, by anyone of its tenant (the
    # stranger's 404 above is the scope's, not a broken route).
    for caller in ("owner", "analyst", "read_key"):
        status, body = attempt(stack, "GET", "/v1/sites/{site}/webhooks/{webhook_id}/deliveries", samples,
                               who[caller])
        assert status == 200 and isinstance(body["deliveries"], list), (caller, status, body)
    status, body = call(stack, "GET", f"/v1/calls/{samples['call_id']}/recordings", who["read_key"])
    assert status in (200, 404), body  # the key reaches its own tenant's call (a recording may not exist)
    assert call(stack, "POST", "/v1/clients", who["write_key"], {"name": "x"})[0] == 403  # keys never manage
