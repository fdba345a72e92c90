"""What issue 16 gave the API, in the dashboard, against the real local stack: a webhook's
signature scheme chosen, the headers its receiver verifies, two secrets during a
rotation, and a switch refused until an old secret is rotated; the pre-sign-up check's
refusals in the dashboard's own words; a caller's data erased from their card and from
settings > privacy, and only by the roles that may; how long recordings are kept.

Every new screen passes check_page (axe-core, no console error, no sideways scroll at
390 px) and is saved, also under /tmp/h2-shots/, for a person to look at."""
import json
import shutil
import time
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ringback.accounts.signup_guard import PER_DOMAIN
from ringback.calls.events import verify, verify_standard
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import WIDTHS, check_page, screenshot_path, sign_in, watch
from tests.support.accounts import PASSWORD, accept_invitation, call, cognito
from tests.support.calls import aws_client, call_after_a_visit
from tests.support.receivers import webhook_receiver
from tests.support.stack import Stack, id_token

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/h2-shots")
CALLER = "+14155550081"
OTHER_CALLER = "+14155550082"


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


@pytest.fixture
def receiver():
    with webhook_receiver("/ringback") as (url, received):
        yield url, received


def shot(page, name: str, problems: list[str] | None = None) -> None:
    """check_page, and a copy of its screenshots where the session looks at them."""
    check_page(page, name, problems)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        shutil.copy(screenshot_path(name, width), SHOTS / f"{name}-{width}.png")


def settled(page) -> None:
    page.wait_for_function("() => !document.querySelector('.state.loading')", timeout=EVENT_TIMEOUT_MS)


def open_section(page, stack, section: str) -> None:
    page.goto(f"{stack.url}/app/settings/{section}")
    page.wait_for_selector("#admin-title", timeout=EVENT_TIMEOUT_MS)
    settled(page)


def stored_webhooks(stack) -> list[dict]:
    item = aws_client(stack, "dynamodb").get_item(TableName="ringback-local-sites",
                                                  Key={"site_id": {"S": stack.site_id}}, ConsistentRead=True)["Item"]
    return json.loads(item["settings"]["S"]).get("webhooks") or []


def give_legacy_secret(stack, webhook_id: str) -> None:
    """As an endpoint made before Standard Webhooks is stored: its secret URL-safe base64."""
    table = aws_client(stack, "dynamodb")
    item = table.get_item(TableName="ringback-local-sites", Key={"site_id": {"S": stack.site_id}},
                          ConsistentRead=True)["Item"]
    settings = json.loads(item["settings"]["S"])
    for hook in settings["webhooks"]:
        if hook["id"] == webhook_id:
            hook["secret"] = "whsec_" + "-_" * 21 + "a"
            hook.pop("previous_secret", None)
            hook.pop("previous_until", None)
    table.update_item(TableName="ringback-local-sites", Key={"site_id": {"S": stack.site_id}},
                      UpdateExpression="SET settings = :s",
                      ExpressionAttributeValues={":s": {"S": json.dumps(settings)}})


def test_an_owner_chooses_a_webhooks_signature_and_sees_what_its_receiver_verifies(stack, page, receiver):
    url, received = receiver
    problems = watch(page)
    sign_in(page, stack)
    open_section(page, stack, "webhooks")
    page.get_by_role("button", name="Add an endpoint").click()
    form = page.get_by_test_id("wh-new-form")
    expect(form.get_by_label("Standard Webhooks")).to_be_checked()  # the default for a new endpoint
    form.get_by_label("URL").fill(url)
    form.get_by_label("Ringback v1 (the first format)").check()
    shot(page, "h2-webhook-add-scheme", problems)
    form.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_test_id("webhook-secret").get_by_test_id("secret-value").inner_text()
    page.get_by_role("button", name="I have saved it").click()

    [hook] = call(stack, "GET", f"/v1/sites/{stack.site_id}/webhooks", id_token(stack))[1]["webhooks"]
    assert hook["signatureScheme"] == "ringback-v1"
    card = page.locator(f"article[data-webhook='{hook['webhookId']}']")
    expect(card.get_by_test_id("webhook-scheme")).to_have_attribute("data-scheme", "ringback-v1")
    headers_shown = card.get_by_test_id("webhook-headers").locator("code").all_inner_texts()
    assert headers_shown == ["Ringback-Event-Id", "Ringback-Signature"]
    card.get_by_text("One: the secret shown when it was made").wait_for()
    card.get_by_role("button", name="Send a test delivery").click()
    card.locator("tr[data-delivery]").first.wait_for()
    sent, body = received[-1]
    assert "webhook-signature" not in {k.lower() for k in sent}
    assert verify(secret, sent["Ringback-Signature"], body, int(time.time()))

    # A rotation with the overlap: two secrets sign, and the card says until when.
    card.get_by_role("button", name="New secret").click()
    card.get_by_role("button", name="Make a new secret").click()
    new_secret = card.get_by_test_id("webhook-secret").get_by_test_id("secret-value").inner_text()
    card.get_by_test_id("webhook-overlap").get_by_text("Two valid now").wait_for()
    shot(page, "h2-webhook-two-secrets", problems)
    card.get_by_role("button", name="I have saved it").click()

    # Switched to Standard Webhooks: the card names its headers; both secrets sign them.
    card.get_by_role("button", name="Edit").click()
    card.get_by_label("Standard Webhooks").check()
    card.get_by_text("Changing the signature takes effect at the next delivery").wait_for()
    card.get_by_role("button", name="Save", exact=True).click()
    expect(card.get_by_test_id("webhook-scheme")).to_have_attribute("data-scheme", "standard-webhooks")
    assert card.get_by_test_id("webhook-headers").locator("code").all_inner_texts() == [
        "webhook-id", "webhook-timestamp", "webhook-signature"]
    shot(page, "h2-webhook-standard", problems)
    card.get_by_role("button", name="Send a test delivery").click()
    card.locator("tr[data-delivery]").nth(1).wait_for()
    sent, body = received[-1]
    now = int(time.time())
    assert verify_standard(new_secret, sent, body, now) and verify_standard(secret, sent, body, now)

    # Back to the first format, then given a secret stored before Standard Webhooks: the
    # switch is refused in our words, and the rotation it needs is one press away.
    card.get_by_role("button", name="Edit").click()
    card.get_by_label("Ringback v1 (the first format)").check()
    card.get_by_role("button", name="Save", exact=True).click()
    expect(card.get_by_test_id("webhook-scheme")).to_have_attribute("data-scheme", "ringback-v1")
    give_legacy_secret(stack, hook["webhookId"])
    page.reload()
    settled(page)
    card = page.locator(f"article[data-webhook='{hook['webhookId']}']")
    card.get_by_role("button", name="Edit").click()
    card.get_by_label("Standard Webhooks").check()
    card.get_by_role("button", name="Save", exact=True).click()
    card.get_by_role("alert").get_by_text("This endpoint's secret was made before Standard Webhooks").wait_for()
    assert "POST …/secret" not in card.inner_text()  # the API's own words are not shown
    problems[:] = [p for p in problems if "409" not in p]
    shot(page, "h2-webhook-rotation-required", problems)
    card.get_by_test_id("rotate-first").click()
    card.get_by_label("Stop the old secret at once (it has leaked)").check()
    card.get_by_role("button", name="Make a new secret").click()
    card.get_by_test_id("webhook-secret").wait_for()
    card.get_by_test_id("webhook-switch-now").wait_for()
    card.get_by_role("button", name="I have saved it").click()
    card.get_by_role("button", name="Edit").click()
    card.get_by_label("Standard Webhooks").check()
    card.get_by_role("button", name="Save", exact=True).click()
    expect(card.get_by_test_id("webhook-scheme")).to_have_attribute("data-scheme", "standard-webhooks")
    assert [h["signature_scheme"] for h in stored_webhooks(stack)] == ["standard-webhooks"]
    assert problems == [], problems


def test_the_sign_up_page_says_why_the_check_refused_in_its_own_words(stack, page):
    problems = watch(page)
    page.goto(f"{stack.url}/app/sign-up")
    page.get_by_label("E-mail").fill("someone@mailinator.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    alert = page.get_by_role("alert")
    alert.get_by_text("Ringback does not open accounts for disposable (throwaway) e-mail addresses").wait_for()
    assert "PreSignUp" not in alert.inner_text() and "Lambda" not in alert.inner_text()
    problems[:] = [p for p in problems if "400" not in p]
    shot(page, "h2-sign-up-disposable", problems)

    # A run of sign-ups on one domain: the next one is told to wait, with the minutes.
    idp = cognito(stack)
    for i in range(PER_DOMAIN.per_window):
        idp.sign_up(ClientId=stack.client_id, Username=f"u{i}@catch-all-h2.example", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"u{i}@catch-all-h2.example"}])
    page.get_by_label("E-mail").fill("one-more@catch-all-h2.example")
    page.get_by_role("button", name="Create account").click()
    alert.get_by_text("Too many accounts are being opened right now. Please try again in").wait_for()
    assert " min." in alert.inner_text() and "PreSignUp" not in alert.inner_text()
    problems[:] = [p for p in problems if "400" not in p]

    # In Russian too.
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Зарегистрироваться").click()
    alert.get_by_text("Сейчас открывается слишком много аккаунтов").wait_for()
    problems[:] = [p for p in problems if "400" not in p]
    shot(page, "h2-sign-up-rate-ru", problems)


def caller_path(number: str) -> str:
    return f"/v1/callers/{urllib.parse.quote(number)}"


def test_an_owner_erases_a_caller_from_their_card_and_by_number_in_settings(stack, page):
    problems = watch(page)
    sid = call_after_a_visit(stack, "client-erase-01", "erase-me", CALLER, talk_for=3)
    call_id = f"tw:{sid}"
    sign_in(page, stack)
    page.goto(f"{stack.url}/app/calls/{urllib.parse.quote(call_id)}")
    page.get_by_role("link", name="Erase this caller's data on request").click()
    section = page.get_by_test_id("erase-caller")
    section.get_by_text("This cannot be undone").wait_for()
    section.get_by_text("every call from them").wait_for()
    section.get_by_role("button", name="Erase this caller's data…").click()
    erase = section.get_by_role("button", name="Erase permanently")
    expect(erase).to_be_disabled()  # until the user says they understand
    section.get_by_label("I understand that the data of +1 415-555-0081 is deleted for good").check()
    shot(page, "h2-caller-erase-confirm", problems)
    erase.click()
    done = page.get_by_test_id("erased")
    done.get_by_text("The data of +1 415-555-0081 is erased").wait_for()
    assert done.locator("[data-erased='calls']").inner_text() == "1"
    assert int(done.locator("[data-erased='reportRows']").inner_text()) >= 0
    shot(page, "h2-caller-erased", problems)
    assert call(stack, "GET", caller_path(CALLER), id_token(stack))[0] == 404
    assert call(stack, "GET", f"/v1/calls/{urllib.parse.quote(call_id)}", id_token(stack))[0] == 404

    # The audit log says it happened, with the number masked.
    open_section(page, stack, "audit")
    page.get_by_text("A caller's data erased").first.wait_for()
    assert CALLER not in page.locator("ol.audit").inner_text()

    # Settings > privacy: a number typed as people write it, looked up, then erased.
    call_after_a_visit(stack, "client-erase-02", "erase-me-too", OTHER_CALLER, talk_for=3)
    open_section(page, stack, "privacy")
    shot(page, "h2-privacy", problems)
    box = page.get_by_test_id("erase-by-number")
    box.get_by_label("Caller's number").fill("415 555 0082")
    box.get_by_role("button", name="Find the caller's data").click()
    box.get_by_role("alert").get_by_text("Enter the number in international form").wait_for()
    box.get_by_label("Caller's number").fill(CALLER)
    box.get_by_role("button", name="Find the caller's data").click()
    box.get_by_role("alert").get_by_text("This account holds nothing about this number").wait_for()
    problems[:] = [p for p in problems if "404" not in p]
    box.get_by_label("Caller's number").fill("+1 (415) 555-0082")
    box.get_by_role("button", name="Find the caller's data").click()
    box.get_by_test_id("erase-found").get_by_text("What this account holds about +1 415-555-0082").wait_for()
    box.get_by_role("button", name="Erase this caller's data…").click()
    box.get_by_label("I understand that the data of +1 415-555-0082 is deleted for good").check()
    shot(page, "h2-privacy-erase-confirm", problems)
    box.get_by_role("button", name="Erase permanently").click()
    box.get_by_test_id("erased").get_by_text("The data of +1 415-555-0082 is erased").wait_for()
    assert call(stack, "GET", caller_path(OTHER_CALLER), id_token(stack))[0] == 404
    assert problems == [], problems


def test_an_owner_chooses_how_long_recordings_are_kept(stack, page):
    problems = watch(page)
    sign_in(page, stack)
    open_section(page, stack, "privacy")
    retention = page.get_by_test_id("retention")
    expect(retention.get_by_label("Keep recordings for")).to_have_value("90")
    retention.get_by_label("Keep recordings for").select_option(label="1 year")
    retention.get_by_role("button", name="Save").click()
    retention.get_by_text("Saved").wait_for()
    assert call(stack, "GET", "/v1/account", id_token(stack))[1]["recordingRetentionDays"] == 365
    page.reload()
    settled(page)
    expect(page.get_by_test_id("retention").get_by_label("Keep recordings for")).to_have_value("365")
    open_section(page, stack, "account")
    page.get_by_test_id("account-recordings").get_by_text("1 year").wait_for()
    assert problems == [], problems


def test_an_analyst_sees_the_retention_but_cannot_erase_a_caller(stack, page):
    token = id_token(stack)
    status, _ = call(stack, "POST", "/v1/invitations", token,
                     {"email": "analyst-privacy@example.com", "role": "analyst"})
    assert status in (200, 201)
    accept_invitation(stack, "analyst-privacy@example.com")
    sid = call_after_a_visit(stack, "client-erase-03", "keep-me", "+14155550083", talk_for=2)
    problems = watch(page)
    sign_in(page, stack, "analyst-privacy@example.com", PASSWORD)
    open_section(page, stack, "privacy")
    page.get_by_test_id("retention-now").get_by_text("Recordings are kept for").wait_for()
    page.get_by_test_id("erase-refused").wait_for()
    assert page.get_by_label("Keep recordings for").count() == 0
    shot(page, "h2-privacy-analyst", problems)
    page.goto(f"{stack.url}/app/callers/{urllib.parse.quote('+14155550083')}")
    page.get_by_role("heading", name="Calls from this number").wait_for()
    settled(page)
    assert page.get_by_test_id("erase-caller").count() == 0
    page.goto(f"{stack.url}/app/calls/{urllib.parse.quote(f'tw:{sid}')}")
    page.get_by_role("heading", name="Call from +1 415-555-0083").wait_for()
    assert page.get_by_role("link", name="Erase this caller's data on request").count() == 0
    assert problems == [], problems
