"""Ranking over days: which visit made a call, and how sure the product may say it is."""
from ringback.tracking.attribution import (
    HIGH_PROBABILITY,
    CallEvidence,
    attribute_call,
    attribute_static,
    sessions_shown,
)
from ringback.tracking.codes import shown_code
from ringback.tracking.leases import HistoryEntry
from ringback.tracking.regions import phone_place
from ringback.tracking.visits import Visit

NUMBER = "+14155550101"
CALLER = "+12125550123"  # geocodes to New York, NY
T = 1_800_000_000_000
MINUTE, DAY = 60_000, 86_400_000


def entry(session, start, end, code="101", visitor=None, shared=False):
    return HistoryEntry(NUMBER, session, "p", "t", visitor or f"site#{session}", start, end, shared, code)


def visit(session, state="NY", campaign="winter", clicks=(), client=None):
    return Visit(session, "t", "site", client or session, T, T,
                 utm={"source": "google", "medium": "cpc", "campaign": campaign},
                 region={"country": "US", "region": state}, landing_page="https://x.example/", clicks=tuple(clicks))


def call(at, digits=None, caller=CALLER, before=None):
    return CallEvidence(NUMBER, at, caller, phone_place(caller), digits, dict(before or {}))


def attribute(entries, visits, evidence):
    return attribute_call(sessions_shown(entries, evidence.at), {v.session_id: v for v in visits}, evidence)


def test_a_keyed_code_names_its_visit_with_high_confidence_even_when_another_holds_the_number():
    entries = [entry("a", T, T + 3 * MINUTE, code="417"), entry("b", T + 5 * MINUTE, T + 20 * MINUTE, code="418")]
    result = attribute(entries, [visit("a"), visit("b")], call(T + 10 * MINUTE, shown_code("417")))
    assert (result.method, result.session_id, result.level) == ("code", "a", "high")
    assert result.code == {"entered": shown_code("417"), "valid": True, "matched": True}
    assert result.runner_up.session_id == "b"


def test_a_code_with_a_wrong_check_digit_never_matches_and_the_call_falls_back_to_ranking():
    good = shown_code("417")
    typo = good[:3] + str((int(good[3]) + 1) % 10)
    entries = [entry("a", T, T + 3 * MINUTE, code="417"), entry("b", T + 5 * MINUTE, T + 20 * MINUTE, code="418")]
    result = attribute(entries, [visit("a"), visit("b")], call(T + 10 * MINUTE, typo))
    assert result.code == {"entered": typo, "valid": False, "matched": None}
    assert result.method != "code"
    assert all("code" not in c.reasons for c in result.candidates)
    assert result.level != "high"


def test_the_current_holder_gets_no_automatic_win_over_the_visit_that_tapped_seconds_before():
    tapped = visit("a", clicks=[{"line": NUMBER, "at": T + 10 * MINUTE - 20_000}])
    entries = [entry("a", T, T + 9 * MINUTE), entry("b", T + 9 * MINUTE + 1000, T + 30 * MINUTE)]
    result = attribute(entries, [tapped, visit("b")], call(T + 10 * MINUTE, ""))
    assert result.session_id == "a" and "tapped" in result.candidates[0].reasons
    # What the dashboard says in words: tapped 20 s before calling, last active 1 min before.
    best = result.candidates[0].as_json()
    assert best["tapped_seconds_before"] == 20 and best["active_seconds_before"] == 60


def test_a_late_call_among_many_visits_is_left_unattributed_and_keeps_its_candidates():
    entries = [entry(f"v{i}", T + i * 30 * MINUTE, T + i * 30 * MINUTE + 5 * MINUTE, code=f"{i:03d}")
               for i in range(40)]
    visits = [visit(f"v{i}") for i in range(40)]
    result = attribute(entries, visits, call(T + 3 * DAY, ""))
    assert result.method == "unattributed" and result.session_id is None and result.source == {}
    assert len(result.candidates) == 5 and result.confidence < 0.5
    assert result.as_json()["candidates"][0]["session_id"].startswith("v")


def test_a_code_shared_by_two_visitors_in_the_window_is_never_high():
    entries = [entry("a", T, T + 3 * MINUTE, code="555"), entry("b", T + DAY, T + DAY + 3 * MINUTE, code="555")]
    result = attribute(entries, [visit("a"), visit("b")], call(T + DAY + 4 * MINUTE, shown_code("555")))
    assert result.level != "high" and result.confidence < HIGH_PROBABILITY


def test_a_caller_from_the_visit_s_state_is_preferred_to_one_from_elsewhere():
    entries = [entry("ca", T, T + 3 * MINUTE), entry("ny", T, T + 3 * MINUTE)]
    result = attribute(entries, [visit("ca", state="CA"), visit("ny", state="NY")], call(T + 5 * MINUTE, ""))
    assert result.candidates[0].session_id == "ny"
    assert "same_region" in result.candidates[0].reasons and "other_region" in result.candidates[1].reasons


def test_a_repeat_caller_goes_to_the_visitor_their_earlier_call_was_attributed_to():
    entries = [entry("a", T, T + 3 * MINUTE), entry("b", T + 2 * MINUTE, T + 6 * MINUTE)]
    result = attribute(entries, [visit("a"), visit("b")], call(T + 7 * MINUTE, "", before={"site#a": 0.99}))
    assert result.session_id == "a" and "called_before" in result.candidates[0].reasons


def test_one_visitor_s_visits_add_up():
    # Visitor x came three times, each a little longer ago than y's one visit: any one of
    # x's visits loses to y's, all three together win.
    entries = [entry(f"x{i}", T + i * MINUTE, T + (21 + i) * MINUTE, visitor="site#x")
               for i in range(3)] + [entry("y", T + 10 * MINUTE, T + 25 * MINUTE, visitor="site#y")]
    visits = [visit(f"x{i}", client="x") for i in range(3)] + [visit("y", client="y")]
    result = attribute(entries, visits, call(T + 40 * MINUTE, ""))
    assert [(c.visitor_key, c.session_id) for c in result.candidates] == [("site#x", "x2"), ("site#y", "y")]


def test_visits_that_began_after_the_call_or_ended_before_the_window_are_no_candidates():
    entries = [entry("old", T - 31 * DAY, T - 31 * DAY + MINUTE), entry("later", T + 2 * MINUTE, T + 5 * MINUTE)]
    assert sessions_shown(entries, T + MINUTE) == {}


def test_a_static_number_is_its_channel():
    result = attribute_static({"utm_source": ["newsletter"], "priority": 3})
    assert (result.method, result.source, result.level) == ("static", {"source": "newsletter"}, "high")
