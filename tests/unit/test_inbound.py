import pytest

from ringback.accounts.provisioning import Directories, add_pool
from ringback.accounts.sites import Site
from ringback.calls.inbound import IncomingCall
from ringback.errors import NotFound
from ringback.tracking.codes import shown_code
from ringback.tracking.pools import Pool

from .code_prompt import receive
from .tracking_world import START, page, world


def with_site_settings(svc, **settings):
    site = svc.sites.get("s1")
    svc.sites.save(Site(**{**site.__dict__, "destination_numbers": ("+14155550199",),
                           "settings": {"calls": settings}}))


def skipped(call_id, to, caller="+14155550001"):
    """A call whose caller skipped the code prompt (pressed # or keyed nothing)."""
    return IncomingCall(call_id, to, caller, digits="")


def two_visits_on_one_number(svc, clock):
    """Visitor A is shown the only number; their lease ends, and visitor B is shown it
    with the next code. Returns both offers' shown numbers and the sessions."""
    first = svc.tracking.start(page(client="visitor-000A"))
    clock.advance(minutes=11)  # the 10-minute lease has ended
    second = svc.tracking.start(page(client="visitor-000B"))
    assert first.numbers[0].number == second.numbers[0].number
    assert first.numbers[0].extension != second.numbers[0].extension
    clock.advance(minutes=1)
    return first, second


def test_a_call_to_a_pool_number_is_asked_for_the_visits_code_first_in_the_sites_language():
    svc, _, _, numbers = world()
    with_site_settings(svc)
    record, plan = svc.inbound.receive(IncomingCall("tw:CA1", numbers[0], "+14155550001"))
    assert record is None and svc.calls.get("tw:CA1") is None  # nothing is kept until it is keyed or skipped
    assert (plan.action, plan.prompt, plan.language) == (
        "gather", "Enter your four digit code, or press hash.", "en-US")
    site = svc.sites.get("s1")
    svc.sites.save(Site(**{**site.__dict__, "settings": {**site.settings, "callback": {"locale": "de"}}}))
    _, plan = svc.inbound.receive(IncomingCall("tw:CA2", numbers[0], "+14155550001"))
    assert plan.action == "gather" and plan.language == "de-DE" and "Code" in plan.prompt


def test_a_call_with_the_visits_shown_code_is_attributed_to_it_and_dialled_with_a_whisper():
    svc, clock, _, _ = world()
    with_site_settings(svc, record=True, recording_notice="This call is recorded.")
    offer = svc.tracking.start(page())
    shown = offer.numbers[0]
    assert shown.extension == shown_code(shown.extension[:3]) and shown.extension_label == "ext."
    clock.advance(minutes=2)
    record, plan = receive(svc.inbound, IncomingCall("tw:CA1", shown.number, "+14155550001"), code=shown.extension)
    attribution = record.attribution
    assert (attribution["session_id"], attribution["method"], attribution["level"]) == (
        offer.session_id, "code", "high")
    assert attribution["code"] == {"entered": shown.extension, "valid": True, "matched": True}
    assert attribution["source"] == "google" and attribution["keyword"] == "leak"
    assert attribution["first_time_caller"] is True and attribution["caller_country"] == "US"
    assert attribution["caller_region"] == "San Francisco, CA"
    assert (plan.action, plan.destinations, plan.record) == ("dial", ("+14155550199",), True)
    assert plan.whisper == "Call from google, keyword leak." and plan.recording_notice == "This call is recorded."


def test_the_shown_code_picks_its_visit_over_the_numbers_later_holder():
    svc, clock, _, _ = world(pool_size=1)
    with_site_settings(svc)
    first, second = two_visits_on_one_number(svc, clock)
    shown = first.numbers[0]
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", shown.number, "+14155550001", digits=shown.extension))
    attribution = record.attribution
    assert (attribution["session_id"], attribution["method"], attribution["level"]) == (
        first.session_id, "code", "high")
    assert attribution["runner_up"]["session_id"] == second.session_id


def test_a_mistyped_code_never_matches_a_visit():
    svc, clock, _, _ = world(pool_size=1)
    with_site_settings(svc)
    first, second = two_visits_on_one_number(svc, clock)
    # One slipped digit: A's check digit after B's payload. It reads as neither code.
    typo = second.numbers[0].extension[:3] + first.numbers[0].extension[3]
    assert typo not in (first.numbers[0].extension, second.numbers[0].extension)
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", first.numbers[0].number, "+14155550001", digits=typo))
    attribution = record.attribution
    assert attribution["code"] == {"entered": typo, "valid": False, "matched": None}
    assert attribution["method"] != "code"
    assert all("code" not in c["reasons"] for c in attribution["candidates"])
    assert {c["session_id"] for c in attribution["candidates"]} == {first.session_id, second.session_id}


def test_a_call_that_skips_the_code_minutes_after_a_single_visit_is_ranked_to_that_visit():
    svc, clock, _, _ = world()
    with_site_settings(svc)
    offer = svc.tracking.start(page())
    clock.advance(minutes=2)
    record, _ = svc.inbound.receive(skipped("tw:CA1", offer.numbers[0].number))
    attribution = record.attribution
    assert (attribution["session_id"], attribution["method"]) == (offer.session_id, "ranked")
    assert attribution["level"] is not None and attribution["source"] == "google"
    assert attribution["code"] == {"entered": None, "valid": None, "matched": None}


def test_a_retried_webhook_makes_one_record_and_the_same_plan():
    svc, clock, _, _ = world()
    with_site_settings(svc)
    offer = svc.tracking.start(page())
    call = skipped("tw:CA1", offer.numbers[0].number)
    first = svc.inbound.receive(call)
    clock.advance(seconds=5)
    again = svc.inbound.receive(call)
    assert first == again
    assert len(svc.calls.between("t1", 0, START + 10**9, 10, None).items) == 1


def test_a_second_call_from_the_same_number_is_a_returning_caller():
    svc, clock, _, _ = world()
    with_site_settings(svc)
    offer = svc.tracking.start(page())
    first, _ = receive(svc.inbound, IncomingCall("tw:CA1", offer.numbers[0].number, "+14155550001"))
    clock.advance(minutes=30)  # they call again later
    record, _ = receive(svc.inbound, IncomingCall("tw:CA2", offer.numbers[0].number, "+14155550001"))
    assert first.attribution["first_time_caller"] is True
    assert record.attribution["first_time_caller"] is False


def test_a_call_to_a_number_nobody_was_shown_is_unattributed_whatever_is_keyed():
    svc, _, _, numbers = world()
    with_site_settings(svc)
    for call_id, digits in (("tw:CA1", ""), ("tw:CA2", shown_code("001"))):
        record, _ = svc.inbound.receive(IncomingCall(call_id, numbers[0], "+14155550001", digits=digits))
        attribution = record.attribution
        assert attribution["method"] == "unattributed" and attribution["session_id"] is None
        assert attribution["level"] is None and attribution["candidates"] == []


def test_a_static_number_is_attributed_to_its_channel():
    svc, _, _, _ = world()
    with_site_settings(svc)
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550150", "+14155550001"))
    assert record.attribution["method"] == "static" and record.attribution["referrer_domain"] == "yelp.com"


def test_off_hours_take_a_voicemail_or_forward():
    svc, _, _, _ = world()
    site = svc.sites.get("s1")
    closed = {"sun": [["00:00", "00:01"]]}  # the world's clock starts on a Friday
    svc.sites.save(Site(**{**site.__dict__, "working_hours": closed, "destination_numbers": ("+14155550199",)}))
    assert svc.inbound.receive(IncomingCall("tw:CA1", "+14155550150", "+14155550001"))[1].action == "voicemail"
    svc.sites.save(Site(**{**site.__dict__, "working_hours": closed, "destination_numbers": ("+14155550199",),
                           "settings": {"calls": {"off_hours": {"action": "forward", "number": "+14155550177"}}}}))
    plan = svc.inbound.receive(IncomingCall("tw:CA2", "+14155550150", "+14155550001"))[1]
    assert (plan.action, plan.destinations) == ("forward", ("+14155550177",))


def extension_pool_offer(svc):
    dirs = Directories(svc.tenants, svc.sites, svc.pools)
    add_pool(dirs, Pool("ext", "t1", "s1", "codes", mode="extensions", rule={"utm_medium": ["email"]}),
             ["+14155550160"], START)
    return svc.tracking.start(page(query="?utm_source=news&utm_medium=email"))


def test_an_extension_pools_code_is_the_lines_extension_and_its_check_digit():
    svc, _, _, _ = world()
    with_site_settings(svc)
    offer = extension_pool_offer(svc)
    shown = offer.numbers[0]
    [lease] = svc.leases.leases_of(offer.session_id)
    number, _, extension = lease.line.partition(",")
    assert shown.number == number == "+14155550160" and shown.extension == shown_code(extension)
    record, plan = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550160", "+14155550001"))
    assert record is None and plan.action == "gather"
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550160", "+14155550001", digits=shown.extension))
    attribution = record.attribution
    assert (attribution["session_id"], attribution["method"], attribution["level"]) == (
        offer.session_id, "code", "high")
    assert attribution["source"] == "news"


def test_without_a_code_an_extension_pools_call_is_ranked_to_its_single_recent_visit():
    svc, _, _, _ = world()
    with_site_settings(svc)
    offer = extension_pool_offer(svc)
    record, _ = svc.inbound.receive(skipped("tw:CA1", "+14155550160"))
    assert (record.attribution["method"], record.attribution["session_id"]) == ("ranked", offer.session_id)


def test_a_number_we_do_not_track_is_refused():
    svc, _, _, _ = world()
    with pytest.raises(NotFound):
        svc.inbound.receive(IncomingCall("tw:CA1", "+19995550000", "+14155550001"))
