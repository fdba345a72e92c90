"""The dashboard's admin settings against the real local stack, driven as an owner does:
a webhook pointed at their own receiver, tested, its secret rotated; a colleague invited,
given a role and removed; an API key made, used and revoked; the audit log of it all;
the account renamed; and a new business turned agency, opening a client and switching
to it. Every change is read back through the API, and every section passes check_page."""
import json
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from ringback.calls.events import verify_standard
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import check_page, sign_in, watch
from tests.support.accounts import call, etag_of, new_user_token
from tests.support.receivers import webhook_receiver
from tests.support.stack import Stack, id_token

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


@pytest.fixture
def receiver():
    """The customer's endpoint on 127.0.0.1: keeps what it is sent, answers 200."""
    with webhook_receiver("/ringback") as (url, received):
        yield url, received


def open_section(page, stack, section: str) -> None:
    page.goto(f"{stack.url}/app/settings/{section}")
    page.wait_for_selector("#admin-title", timeout=EVENT_TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('.state.loading')", timeout=EVENT_TIMEOUT_MS)


def api_calls(stack, secret: str) -> int:
    request = urllib.request.Request(f"{stack.url}/v1/calls?limit=1", headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_owner_adds_a_webhook_tests_it_rotates_its_secret_and_deletes_it(stack, page, receiver):
    url, received = receiver
    problems = watch(page)
    sign_in(page, stack)
    open_section(page, stack, "webhooks")
    page.get_by_text("This site sends no webhooks yet.").wait_for()
    check_page(page, "settings-webhooks-empty", problems)

    page.get_by_role("button", name="Add an endpoint").click()
    form = page.get_by_test_id("wh-new-form")
    form.get_by_label("URL").fill("http://10.0.0.7/hooks")  # inside a private network: refused, in words
    form.get_by_role("button", name="Add endpoint").click()
    form.get_by_role("alert").get_by_text("This URL cannot receive webhooks").wait_for()
    problems[:] = [p for p in problems if "400" not in p]
    form.get_by_label("URL").fill(url)
    form.get_by_label("Only the events chosen here").check()
    form.get_by_label("call.missed").check()
    form.get_by_label("call.updated").check()
    check_page(page, "settings-webhooks-add", problems)
    form.get_by_role("button", name="Add endpoint").click()

    shown = page.get_by_test_id("webhook-secret")
    shown.get_by_text("it is shown only this once").wait_for()
    secret = shown.get_by_test_id("secret-value").inner_text()
    assert secret.startswith("whsec_")
    status, listed = call(stack, "GET", f"/v1/sites/{stack.site_id}/webhooks", id_token(stack))
    [hook] = listed["webhooks"]
    assert (hook["url"], hook["events"]) == (url, ["call.missed", "call.updated"]) and secret not in json.dumps(listed)
    card = page.locator(f"article[data-webhook='{hook['webhookId']}']")
    assert "call.missed" in card.inner_text() and "call.updated" in card.inner_text()
    check_page(page, "settings-webhooks-secret", problems)
    shown.get_by_role("button", name="I have saved it").click()

    card.get_by_role("button", name="Send a test delivery").click()
    row = card.locator("tr[data-delivery]").first
    row.wait_for()
    shown = row.inner_text()
    assert row.get_attribute("data-delivery") == "delivered" and "200" in shown and "Delivered" in shown
    headers, body = received[-1]
    assert json.loads(body)["type"] == "webhook.test"
    assert row.locator("code").inner_text() == headers["Ringback-Event-Id"]
    assert verify_standard(secret, headers, body, int(time.time()))
    check_page(page, "settings-webhooks-tested", problems)

    card.get_by_role("button", name="New secret").click()
    card.get_by_role("button", name="Make a new secret").click()
    rotated = card.get_by_test_id("webhook-secret").get_by_test_id("secret-value")
    rotated.wait_for()
    new_secret = rotated.inner_text()
    assert new_secret.startswith("whsec_") and new_secret != secret
    card.get_by_text("still signs beside the new one").wait_for()
    card.get_by_role("button", name="Send a test delivery").click()
    card.locator("tr[data-delivery]").nth(1).wait_for()
    headers, body = received[-1]
    assert verify_standard(new_secret, headers, body, int(time.time()))
    assert verify_standard(secret, headers, body, int(time.time()))  # the overlap

    card.get_by_role("button", name="Edit").click()
    card.get_by_label("Every event, including kinds added later").check()
    card.get_by_label("Send events to it").uncheck()
    card.get_by_role("button", name="Save", exact=True).click()
    card.get_by_text("Every event").wait_for()
    card.locator(".tag.warn", has_text="Off").wait_for()
    _, hook = call(stack, "GET", f"/v1/sites/{stack.site_id}/webhooks/{hook['webhookId']}", id_token(stack))
    assert (hook["events"], hook["enabled"]) == (["*"], False)

    card.get_by_role("button", name="Delete").click()
    card.get_by_role("button", name="Delete endpoint").click()
    page.get_by_text("This site sends no webhooks yet.").wait_for()
    assert call(stack, "GET", f"/v1/sites/{stack.site_id}/webhooks", id_token(stack))[1]["webhooks"] == []


def test_an_owner_invites_colleagues_changes_a_role_and_cannot_leave_as_the_last_owner(stack, page, browser):
    problems = watch(page)
    colleague = "dana@demo-plumbing.example"
    new_user_token(stack, colleague)  # someone with a sign-in already: they join at their next one
    sign_in(page, stack)
    open_section(page, stack, "team")
    page.get_by_text("What each role may do").click()
    page.get_by_text("Reads calls, callbacks, reports and settings; changes nothing.").wait_for()
    check_page(page, "settings-team", problems)

    form = page.get_by_test_id("invite-form")
    form.get_by_label("Colleague's e-mail").fill("sam@demo-plumbing.example")
    form.get_by_label("Role").select_option(label="Admin")
    form.get_by_role("button", name="Invite").click()
    form.get_by_text("Invited sam@demo-plumbing.example: they are e-mailed a temporary password").wait_for()
    page.locator("tr[data-invitation='sam@demo-plumbing.example']").wait_for()
    form.get_by_label("Colleague's e-mail").fill(colleague)
    form.get_by_label("Role").select_option(label="Billing")
    form.get_by_role("button", name="Invite").click()
    form.get_by_text("they already have a Ringback sign-in").wait_for()
    invited = {i["email"]: i["role"] for i in call(stack, "GET", "/v1/members", id_token(stack))[1]["invitations"]}
    assert invited == {"sam@demo-plumbing.example": "admin", colleague: "billing"}
    check_page(page, "settings-team-invited", problems)

    sam = page.locator("tr[data-invitation='sam@demo-plumbing.example']")
    sam.get_by_role("button", name="Cancel invitation").click()
    sam.get_by_role("button", name="Cancel invitation").click()  # the confirmation
    sam.wait_for(state="detached")
    assert [i["email"] for i in call(stack, "GET", "/v1/members", id_token(stack))[1]["invitations"]] == [colleague]

    # The billing colleague signs in elsewhere: their role may not see webhooks, and is told why.
    other = browser.new_context()
    other.set_default_timeout(EVENT_TIMEOUT_MS)
    theirs = other.new_page()
    their_problems = watch(theirs)
    sign_in(theirs, stack, colleague, "Str0ng-Passw0rd!")
    open_section(theirs, stack, "webhooks")
    theirs.get_by_test_id("refused").get_by_text("Your role (Billing) cannot see this").wait_for()
    check_page(theirs, "settings-webhooks-refused", [p for p in their_problems if "403" not in p])
    other.close()

    page.reload()
    page.wait_for_selector(f"tr[data-member='{colleague}']", timeout=EVENT_TIMEOUT_MS)
    row = page.locator(f"tr[data-member='{colleague}']")
    row.get_by_label(f"Role of {colleague}").select_option(label="Analyst")
    row.get_by_role("button", name="Change role").click()
    row.get_by_role("button", name="Change role").wait_for(state="detached")
    roles = {m["email"]: m["role"] for m in call(stack, "GET", "/v1/members", id_token(stack))[1]["members"]}
    assert roles[colleague] == "analyst"

    me = page.locator("tr[data-member='demo@ringback.local']")
    me.get_by_role("button", name="Leave").click()
    me.get_by_role("button", name="Leave").click()
    me.get_by_role("alert").get_by_text("An account always keeps an owner").wait_for()
    check_page(page, "settings-team-last-owner", [p for p in problems if "409" not in p])

    row.get_by_role("button", name="Remove").click()
    row.get_by_role("button", name="Remove").click()
    row.wait_for(state="detached")
    assert colleague not in {m["email"] for m in call(stack, "GET", "/v1/members", id_token(stack))[1]["members"]}


def test_an_owner_makes_an_api_key_that_works_until_it_is_revoked(stack, page):
    problems = watch(page)
    sign_in(page, stack)
    open_section(page, stack, "api-keys")
    page.get_by_text("No key in use.").wait_for()
    check_page(page, "settings-api-keys-empty", problems)

    form = page.get_by_test_id("new-key-form")
    form.get_by_label("Name").fill("CRM sync")
    form.get_by_role("button", name="Create key").click()
    shown = page.get_by_test_id("api-key-secret")
    shown.get_by_text("it is shown only this once").wait_for()
    secret = shown.get_by_test_id("secret-value").inner_text()
    assert secret.startswith("rbk_")
    assert api_calls(stack, secret) == 200
    row = page.locator("tr[data-key='CRM sync']")
    row.wait_for()
    assert "Read" in row.inner_text()
    check_page(page, "settings-api-keys-created", problems)

    row.get_by_role("button", name="Revoke").click()
    row.get_by_text("Code using it is refused from now on.").wait_for()
    row.get_by_role("button", name="Revoke").click()
    page.locator("[data-revoked-key='CRM sync']").wait_for(state="attached")
    assert api_calls(stack, secret) == 401
    page.get_by_test_id("api-key-secret").wait_for(state="detached")  # a revoked key's secret is not left on show
    page.get_by_text("Revoked keys (1)").click()
    check_page(page, "settings-api-keys-revoked", problems)


def test_the_audit_log_says_who_did_what_with_the_changes_and_pages_back(stack, page):
    token = id_token(stack)
    # More than a page of 25 entries, whatever ran before: seven keys made and revoked.
    for n in range(7):
        _, key = call(stack, "POST", "/v1/api-keys", token, {"name": f"Batch {n}", "access": "read"})
        assert call(stack, "DELETE", f"/v1/api-keys/{key['keyId']}", token)[0] == 204
    _, key = call(stack, "POST", "/v1/api-keys", token, {"name": "Audit probe", "access": "write"})
    assert call(stack, "DELETE", f"/v1/api-keys/{key['keyId']}", token)[0] == 204
    etag = etag_of(stack, "/v1/account", token)
    _, account = call(stack, "GET", "/v1/account", token)
    assert call(stack, "PATCH", "/v1/account", token, {"name": account["name"] + " Ltd"}, if_match=etag)[0] == 200
    problems = watch(page)
    sign_in(page, stack)
    open_section(page, stack, "audit")
    log = page.get_by_test_id("audit-log")
    revoked = log.locator("li[data-action='api_key.revoked']").first
    revoked.wait_for()
    text = revoked.inner_text()
    assert "API key revoked" in text and "by demo@ringback.local" in text and "API key “Audit probe”" in text
    # revokedAt: – → a time
    assert revoked.locator("ins").first.is_visible() and revoked.locator("del").first.is_visible()
    made = log.locator("li[data-action='api_key.created']").first
    assert "access" in made.inner_text() and "write" in made.inner_text() and "createdBy" in made.inner_text()
    assert "demo@ringback.local" in made.locator("dl.changes").inner_text()  # who, not a user id
    renamed = log.locator("li[data-action='account.updated']").first
    assert renamed.locator("del").first.inner_text() == account["name"]
    assert renamed.locator("ins").first.inner_text() == account["name"] + " Ltd"
    check_page(page, "settings-audit", problems)

    page.get_by_label("Entries per page").select_option("25")
    page.get_by_text("25 entries shown.").wait_for()
    # Back to the oldest entry of all, a page at a time: the first sign-in opened the account.
    while page.get_by_test_id("audit-more").count():
        before = page.locator("[data-testid=audit-log] > li").count()
        page.get_by_test_id("audit-more").click()
        page.wait_for_function(f"() => document.querySelectorAll('[data-testid=audit-log] > li').length > {before}"
                               " || !document.querySelector('[data-testid=audit-more]')")
    assert page.locator("[data-testid=audit-log] > li").count() > 25
    assert log.locator("li").last.get_attribute("data-action") == "tenant.opened"


def test_an_owner_renames_the_account_and_a_stale_edit_is_refused(stack, page):
    problems = watch(page)
    sign_in(page, stack)
    open_section(page, stack, "account")
    assert page.get_by_test_id("account-kind").inner_text() == "A business account"
    check_page(page, "settings-account", problems)

    page.get_by_label("Account name").fill("Demo Plumbing & Heating")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    assert call(stack, "GET", "/v1/account", id_token(stack))[1]["name"] == "Demo Plumbing & Heating"
    page.reload()
    page.wait_for_function("() => document.getElementById('account-name')?.value === 'Demo Plumbing & Heating'")

    # Someone else renames it meanwhile: this page's save is refused and shows theirs.
    token = id_token(stack)
    etag = etag_of(stack, "/v1/account", token)
    assert call(stack, "PATCH", "/v1/account", token, {"name": "Renamed elsewhere"}, if_match=etag)[0] == 200
    page.get_by_label("Account name").fill("Mine, late")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("alert").get_by_text("Someone else changed this meanwhile").wait_for()
    page.wait_for_function("() => document.getElementById('account-name')?.value === 'Renamed elsewhere'")
    check_page(page, "settings-account-conflict", [p for p in problems if "412" not in p])


def test_a_new_business_becomes_an_agency_opens_a_client_and_switches_to_it(stack, page):
    email, password = "owner@north-agency.example", "Str0ng-Passw0rd!"
    new_user_token(stack, email, password)
    problems = watch(page)
    sign_in(page, stack, email, password)
    open_section(page, stack, "account")
    assert page.get_by_role("link", name="Clients").count() == 0
    page.get_by_test_id("make-agency").click()
    page.get_by_role("button", name="Make this account an agency").last.click()
    page.get_by_test_id("account-kind").get_by_text("An agency").wait_for()
    page.get_by_role("link", name="Clients").click()
    page.wait_for_selector("#admin-title", timeout=EVENT_TIMEOUT_MS)
    page.get_by_text("No client account yet.").wait_for()
    report_link = page.get_by_role("link", name="the agency roll-up report")
    assert report_link.get_attribute("href") == "/app/reports/agency_rollup"
    check_page(page, "settings-clients-empty", problems)

    page.get_by_label("New client's name").fill("Northside Dental")
    page.get_by_role("button", name="Open a client account").click()
    page.get_by_text("The client account Northside Dental is open.").wait_for()
    [client] = call(stack, "GET", "/v1/clients", id_token(stack, email, password))[1]["clients"]
    assert client["name"] == "Northside Dental"
    switcher = page.get_by_test_id("tenant-switcher")
    switcher.locator(f"option[value='{client['tenantId']}']").wait_for(state="attached")
    check_page(page, "settings-clients", problems)

    switcher.select_option(client["tenantId"])
    page.get_by_text("The dashboard shows the client Northside Dental.").wait_for()
    page.locator("li[data-client='Northside Dental'] .tag.ok").wait_for()
    check_page(page, "settings-clients-client-shown", problems)
    page.get_by_role("link", name="Account").click()
    page.get_by_test_id("account-kind").get_by_text("A client account of").wait_for()

    page.get_by_role("link", name="Clients").click()
    page.get_by_role("button", name="Back to").click()
    page.get_by_text("The dashboard shows the client").wait_for(state="detached")
    page.get_by_role("button", name="Switch to this client (Northside Dental)").click()
    page.wait_for_url("**/app/calls")
    expect(switcher).to_have_value(client["tenantId"])


def test_every_section_reads_in_russian_and_fits_a_phone(stack, page):
    problems = watch(page)
    sign_in(page, stack)
    page.get_by_label("Language").select_option("ru")
    for section, heading in (("webhooks", "Вебхуки"), ("team", "Команда"), ("api-keys", "API-ключи"),
                             ("audit", "Журнал действий"), ("account", "Аккаунт")):
        open_section(page, stack, section)
        page.locator("#admin-title", has_text=heading).wait_for()
        check_page(page, f"settings-{section}-ru", problems)
    page.get_by_text("Сделать аккаунт агентством").wait_for()
