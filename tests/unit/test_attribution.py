from ringback.tracking.attribution import LATE_WINDOW_MS, attribute_line, attribute_static
from ringback.tracking.leases import HistoryEntry
from ringback.tracking.visits import Visit

LINE = "+14155550101"
T = 1_800_000_000_000


def entry(session, start, end, shared=False):
    return HistoryEntry(LINE, session, "p", "t", f"s#{session}", start, end, shared)


def visit(session, country="US", campaign="winter"):
    return Visit(session, "t", "s", f"client-{session}", T, T, utm={"source": "google", "medium": "cpc",
                 "campaign": campaign}, region={"country": country}, landing_page="https://x.example/")


def test_the_sole_holder_at_the_call_is_attributed_with_certainty():
    result = attribute_line([entry("a", T, T + 600_000)], {"a": visit("a")}, {}, LINE, "US", T + 60_000)
    assert (result.method, result.session_id, result.confidence) == ("lease", "a", 1.0)
    assert result.source["campaign"] == "winter" and result.runner_up is None


def test_a_shared_line_goes_to_the_visitor_who_clicked_and_keeps_the_runner_up():
    entries = [entry("a", T, T + 600_000, shared=True), entry("b", T + 10_000, T + 610_000, shared=True)]
    clicks = {"b": [{"line": LINE, "at": T + 55_000}]}
    result = attribute_line(entries, {"a": visit("a"), "b": visit("b", campaign="spring")}, clicks, LINE, "US",
                            T + 60_000)
    assert result.session_id == "b" and result.source["campaign"] == "spring"
    assert result.runner_up.session_id == "a" and 0.5 < result.confidence < 1


def test_a_late_call_goes_to_the_last_holder_with_less_confidence_than_a_held_line():
    entries = [entry("a", T, T + 180_000)]
    soon = attribute_line(entries, {"a": visit("a")}, {}, LINE, "US", T + 180_000 + 60_000)
    later = attribute_line(entries, {"a": visit("a")}, {}, LINE, "US", T + 180_000 + 20 * 60_000)
    assert soon.session_id == later.session_id == "a"
    assert 1.0 > soon.confidence > later.confidence > 0


def test_a_call_long_after_any_lease_is_unattributed_not_guessed():
    result = attribute_line([entry("a", T, T + 180_000)], {"a": visit("a")}, {}, LINE, "US",
                            T + 180_000 + LATE_WINDOW_MS + 1)
    assert (result.method, result.session_id, result.confidence) == ("unattributed", None, 0.0)


def test_the_callers_country_breaks_a_tie_between_sharers():
    entries = [entry("a", T, T + 600_000, shared=True), entry("b", T, T + 600_000, shared=True)]
    result = attribute_line(entries, {"a": visit("a", country="DE"), "b": visit("b", country="US")}, {}, LINE,
                            "US", T + 1000)
    assert result.session_id == "b" and result.runner_up.session_id == "a"


def test_an_extension_code_is_exact():
    result = attribute_line([entry("a", T, T + 600_000)], {"a": visit("a")}, {}, LINE, None, T + 1, "extension")
    assert (result.method, result.confidence) == ("extension", 1.0)


def test_a_static_number_is_attributed_to_its_channel():
    assert attribute_static({"referrer_domain": ["yelp.com"], "priority": 5}).as_json() == {
        "method": "static", "session_id": None, "confidence": 1.0, "referrer_domain": "yelp.com"}
