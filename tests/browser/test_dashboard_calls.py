"""The dashboard against the real local stack: the demo owner signs in through the
dashboard's own page (SRP against the local user pool), and a call placed while the calls
page is open appears without a reload, with its source and why the product named that
visit."""
import pytest

from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import check_page, sign_in, watch
from tests.support.accounts import code_sent_to, sign_up
from tests.support.calls import call_after_a_visit
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


def test_a_wrong_password_is_refused_in_words_and_the_right_one_opens_the_calls(stack, page):
    problems = watch(page)
    page.goto(f"{stack.url}/app/calls")  # a deep link: the dashboard's page, then sign-in
    page.get_by_role("heading", name="Sign in to Ringback").wait_for()
    check_page(page, "sign-in")
    page.get_by_label("E-mail").fill("demo@ringback.local")
    page.get_by_label("Password", exact=True).fill("Not-the-passw0rd!")
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.get_by_role("alert").get_by_text("The e-mail or the password is wrong.").wait_for()
    sign_in(page, stack)
    page.get_by_role("heading", name="Calls").wait_for()
    assert [e for e in problems if "400" not in e] == [], problems


def test_a_call_placed_while_the_calls_page_is_open_appears_with_its_source_and_why(stack, page):
    problems = watch(page)
    sign_in(page, stack)
    page.get_by_role("heading", name="Calls").wait_for()
    page.wait_for_function("() => !document.querySelector('.state.loading')", timeout=EVENT_TIMEOUT_MS)
    loads = []
    page.on("load", lambda _: loads.append(1))

    sid = call_after_a_visit(stack, "client-dashboard-01", "dashboard-spring", "+14155550066")

    row = page.wait_for_selector(f"tr[data-call='tw:{sid}']", timeout=EVENT_TIMEOUT_MS)
    text = row.inner_text()
    assert "google / cpc / dashboard-spring" in text and "+1 415-555-0066" in text
    assert "was on the site when they called" in text and "% sure" in text
    assert loads == [], "the page reloaded"
    check_page(page, "calls", problems)


def test_a_forgotten_password_is_reset_with_the_emailed_code(stack, page):
    email = "forgetful@leak-fixers.example"
    sign_up(stack, email)  # an account of their own, as a customer has one
    problems = watch(page)
    page.goto(f"{stack.url}/app/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_role("heading", name="Reset your password").wait_for()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send the code").click()
    page.get_by_text(f"If {email} has an account, a code is on its way to it.").wait_for()
    check_page(page, "reset-password")
    page.get_by_label("Code from the e-mail").fill(code_sent_to(stack, email))
    page.get_by_label("New password", exact=True).fill("Brand-N3w-Passw0rd!")
    page.get_by_role("button", name="Set the password").click()
    page.get_by_text("Your password is changed. Sign in with it.").wait_for()
    sign_in(page, stack, email, "Brand-N3w-Passw0rd!")
    page.get_by_role("heading", name="Calls").wait_for()
    assert problems == [], problems
