"""The reports in the dashboard, against the real local stack: calls placed through the
local carrier reach the analytics tables (the tables' streams to Parquet, read by DuckDB)
and the demo owner sees them as a customer does: the campaign's row and count, its chart,
the comparison with the period before, the CSV download, the hour-by-weekday heatmap, the
callers, the callback funnel, cost per call once ad spend is uploaded through the page,
pool health, and the roll-up's words for an account that is not an agency."""
import csv
import io
import json
import time
from datetime import date, timedelta

import pytest

from devstack.demo import DEMO_EMAIL
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import check_page, sign_in, watch
from tests.support.calls import call_after_a_visit, http
from tests.support.stack import EVENT_SECONDS, Stack, get, id_token

pytestmark = pytest.mark.e2e

CAMPAIGN = "reports-spring"
CALLERS = ("+14155550071", "+14155550072")


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


def report(stack, token, name, query=""):
    status, _, body = get(f"{stack.url}/v1/reports/{name}{query}", {"Authorization": token})
    assert status == 200, body
    return json.loads(body)


@pytest.fixture(scope="module")
def placed(stack):
    """Two answered calls from the campaign and a callback request, once the reports count
    them (the analytics tables fill asynchronously from the tables' streams)."""
    for n, caller in enumerate(CALLERS):
        call_after_a_visit(stack, f"client-reports-{n}", CAMPAIGN, caller)
    status, accepted = http("POST", f"{stack.url}/v1/callbacks",
                            {"siteKey": stack.site_key, "phone": "+14155550073", "country": "US"},
                            {"Origin": stack.site_url})
    assert status in (200, 201, 202), accepted
    token = id_token(stack)
    deadline = time.monotonic() + EVENT_SECONDS
    while True:
        [row] = report(stack, token, "calls_by_source", f"?campaign={CAMPAIGN}")["rows"] or [None]
        funnel = report(stack, token, "callback_funnel")["rows"]
        if row and row["answered"] == len(CALLERS) and funnel and funnel[0]["requested"] >= 1:
            return {"token": token, "row": row}
        assert time.monotonic() < deadline, f"the reports never counted the calls: {row}, {funnel}"
        time.sleep(0.5)


def open_report(page, stack, name, query=""):
    page.goto(f"{stack.url}/app/reports/{name}{query}")
    page.wait_for_selector("#page-title", timeout=EVENT_TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('.state.loading')", timeout=EVENT_TIMEOUT_MS)


def campaign_row(page):
    return page.locator("#rep-rows tbody tr", has_text=CAMPAIGN)


def test_the_reports_page_shows_the_last_30_days_and_lists_every_report(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Reports", level=1).wait_for()
    calls = page.locator("[data-total='calls'] dd")
    calls.wait_for()
    assert int(calls.inner_text()) >= len(CALLERS)
    assert page.locator("canvas[role='img'][aria-label*='Calls by source']").count() == 1
    for name in ("calls_by_source", "answered_by_hour", "callers", "callback_funnel", "pool_health",
                 "cost_per_lead", "agency_rollup"):
        assert page.locator(f"[data-report='{name}'] a").count() == 1, name
    check_page(page, "reports", problems)

    page.get_by_role("link", name="Calls by source and campaign").click()
    page.get_by_role("heading", name="Calls by source and campaign", level=1).wait_for()
    # Focus follows the navigation to the report's heading, for keyboard and screen readers.
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'page-title'")


def test_calls_by_source_shows_the_campaign_charted_compared_and_as_csv(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    open_report(page, stack, "calls_by_source")
    row = campaign_row(page)
    row.wait_for()
    assert row.locator("td[data-column='calls'] .rep-now").inner_text() == str(len(CALLERS))
    assert row.locator("td[data-column='answered'] .rep-now").inner_text() == str(len(CALLERS))
    assert "google" in row.inner_text() and "cpc" in row.inner_text()
    assert page.locator("canvas[role='img'][aria-label^='Bar chart of Calls by source']").count() == 1
    # Keyword and landing page were never set: the table says so instead of empty columns.
    assert "Keyword" in page.get_by_text("Not shown, empty in every row:").inner_text()
    check_page(page, "report-calls-by-source", problems)

    # By campaign, the chart's own table names the campaign with its count.
    page.get_by_label("Group by").select_option("campaign")
    chart_row = page.locator(".rep-chart-table tbody tr", has_text=CAMPAIGN)
    assert chart_row.locator("td").first.inner_text() == str(len(CALLERS))

    # Compared with the 30 days before (nothing then): the change and what it was.
    page.get_by_label("Compare with the previous period").check()
    page.wait_for_url("**compare=1**")
    page.locator(".rep-delta").first.wait_for()
    calls_cell = campaign_row(page).locator("td[data-column='calls']")
    assert calls_cell.locator(".rep-sign").inner_text() == f"+{len(CALLERS)}"
    assert calls_cell.locator(".rep-was").inner_text() == "was 0"
    assert page.get_by_text("Previous period:").count() == 1
    assert page.locator(".rep-chart-table th", has_text="Previous period").count() == 1
    check_page(page, "report-calls-by-source-compared", problems)

    # The CSV is the API's, named as the API names it.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("calls_by_source_") and download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8")
    assert text.startswith("source,medium,campaign,keyword,landing_page,calls,answered")
    [exported] = [r for r in csv.DictReader(io.StringIO(text)) if r["campaign"] == CAMPAIGN]
    assert (exported["source"], exported["medium"], exported["calls"], exported["answered"]) == (
        "google", "cpc", str(len(CALLERS)), str(len(CALLERS)))
    page.get_by_text(f"Downloaded {download.suggested_filename}.").wait_for()

    # A filter and the first touch: still the campaign, from the visit that brought them.
    page.get_by_text("Filters", exact=True).click()
    page.get_by_role("textbox", name="Campaign").fill(CAMPAIGN)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(f"**campaign={CAMPAIGN}**")
    page.get_by_label("Credit each call to").select_option("first")
    page.wait_for_url("**touch=first**")
    page.wait_for_function("() => !document.querySelector('.state.loading')")
    assert page.locator("#rep-rows tbody tr").count() == 1
    assert campaign_row(page).locator("td[data-column='calls'] .rep-now").inner_text() == str(len(CALLERS))
    check_page(page, "report-calls-by-source-filtered", problems)


def test_a_custom_range_shows_its_days_and_an_empty_one_says_so(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    open_report(page, stack, "calls_by_source")
    page.get_by_role("radio", name="Custom").check()
    today = date.today()
    page.get_by_label("From", exact=True).fill((today - timedelta(days=2)).isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**range=custom**")
    campaign_row(page).wait_for()
    check_page(page, "report-custom-range", problems)

    page.get_by_label("From", exact=True).fill("2024-01-01")
    page.get_by_label("To", exact=True).fill("2024-01-07")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("No calls in this range yet.").wait_for()
    check_page(page, "report-empty", problems)

    page.get_by_label("From", exact=True).fill("2024-01-08")
    page.get_by_label("To", exact=True).fill("2024-01-01")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("alert").get_by_text("The first day must not be after the last.").wait_for()


def test_answered_calls_by_hour_and_weekday_is_a_heatmap_of_the_counts(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    rows = report(stack, placed["token"], "answered_by_hour")["rows"]
    open_report(page, stack, "answered_by_hour")
    heat = page.locator("table#rep-heat")
    heat.wait_for()
    assert heat.locator("caption").inner_text() == "Calls by hour and weekday"
    for row in rows:
        assert heat.locator(f"td[data-cell='{row['weekday']}:{row['hour_of_day']}']").inner_text() == str(row["calls"])
    assert heat.locator("td.heat-5").count() >= 1  # the busiest hour is the darkest
    check_page(page, "report-answered-by-hour", problems)
    page.get_by_label("Compare with the previous period").check()
    page.locator("table#rep-heat-before").wait_for()
    check_page(page, "report-answered-by-hour-compared", problems)


def test_callers_and_the_callback_funnel(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    open_report(page, stack, "callers")
    first = page.locator("#rep-rows tbody tr", has_text="First-time callers")
    first.wait_for()
    assert int(first.locator("td[data-column='calls'] .rep-now").inner_text()) >= len(CALLERS)
    assert page.locator("canvas[role='img'][aria-label^='Bar chart of Calls by kind of caller']").count() == 1
    check_page(page, "report-callers", problems)

    open_report(page, stack, "callback_funnel")
    requested = page.locator(".rep-funnel li[data-step='requested'] strong")
    requested.wait_for()
    assert int(requested.inner_text()) >= 1
    page.get_by_role("heading", name="Connect time").wait_for()
    check_page(page, "report-callback-funnel", problems)


def test_cost_per_call_asks_for_ad_spend_and_counts_the_upload(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    open_report(page, stack, "cost_per_lead")
    page.get_by_text("Cost per call and per lead needs your ad spend.").wait_for()
    check_page(page, "report-cost-no-spend", problems)

    day = (date.today() - timedelta(days=1)).isoformat()  # surely inside the last 30 days
    spend = f"day,source,medium,campaign,spend,currency,clicks\n{day},google,cpc,{CAMPAIGN},42.00,USD,12\n"
    page.get_by_label("Ad spend CSV file").set_input_files(
        files=[{"name": "spend.csv", "mimeType": "text/csv", "buffer": spend.encode()}])
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("Stored. Rows: 1; days: 1").wait_for()
    deadline = time.monotonic() + EVENT_SECONDS
    while True:
        row = campaign_row(page)
        if row.count() and row.locator("td[data-column='cost_per_call'] .rep-now").inner_text() == "$21.00":
            break
        assert time.monotonic() < deadline, "the uploaded spend never reached the report"
        open_report(page, stack, "cost_per_lead")
    assert page.locator("canvas[role='img'][aria-label^='Bar chart of Cost per call']").count() == 1
    assert page.get_by_text("Cost per call and per lead needs your ad spend.").count() == 0
    check_page(page, "report-cost-per-lead", problems)


def test_pool_health_names_the_pool_and_its_size_advice(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    open_report(page, stack, "pool_health")
    card = page.locator(f"article.rep-pool[data-pool='{stack.pool_id}']")
    card.wait_for()
    assert "paid search" in card.inner_text() and "Utilisation" in card.inner_text()
    assert card.locator(".rep-advice li").count() >= 1
    row = page.locator("#rep-rows tbody tr", has_text="paid search")
    row.wait_for()
    assert int(row.locator("td[data-column='leases'] .rep-now").inner_text()) >= len(CALLERS)
    check_page(page, "report-pool-health", problems)


def test_the_roll_up_and_the_missed_call_alerts_for_a_customer(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    open_report(page, stack, "agency_rollup")
    page.get_by_text("This account is not an agency, so it shows this account alone.").wait_for()
    page.locator("#rep-rows tbody tr", has_text="Demo Plumbing Co").wait_for()
    check_page(page, "report-agency-rollup", problems)

    open_report(page, stack, "missed_call_alerts")
    page.get_by_role("heading", name="Missed-call alerts", level=1).wait_for()
    check_page(page, "report-missed-call-alerts", problems)


def test_a_report_reads_in_russian_and_says_when_it_could_not_load(stack, placed, page):
    problems = watch(page)
    sign_in(page, stack)
    open_report(page, stack, "calls_by_source")
    campaign_row(page).wait_for()
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("heading", name="Звонки по источникам и кампаниям", level=1).wait_for()
    assert page.get_by_text("Сравнить с предыдущим периодом").count() == 1
    check_page(page, "report-calls-by-source-ru", problems)
    page.get_by_label("Язык").select_option("en")

    # The API failing is said in words, with a way to try again.
    page.route(lambda url: "/v1/reports/callers?" in url, lambda route: route.fulfill(
        status=503, content_type="application/json",
        body=json.dumps({"error": {"code": "reports_unavailable", "message": "reports are not configured here"}})))
    open_report(page, stack, "callers")
    page.get_by_role("alert").get_by_text("Reports are not set up for this installation.").wait_for()
    page.get_by_role("button", name="Try again").wait_for()
    check_page(page, "report-failed", [p for p in problems if "503" not in p])
    assert DEMO_EMAIL in page.locator("header.top").inner_text()
