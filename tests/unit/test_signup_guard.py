"""Who may open an account (ringback.accounts.signup_guard): what a person signing up sees
refused, and what the pool's trigger lets through."""
import pytest

from ringback.accounts.signup_guard import (
    INVITATION,
    PER_DOMAIN,
    SELF_SIGN_UP,
    SignUp,
    SignUpGuard,
    SignUpRefused,
)
from ringback.adapters.disposable_domains import PackagedDisposableDomains
from ringback.adapters.memory import MemoryRateCounter
from ringback.clock import ManualClock
from ringback.guards import Limit
from ringback.metrics import CountedMetrics, Metric

START_MS = 1_796_033_580_000  # Monday 2026-11-30, 10:13 UTC; the windows are the clock's hours
DISPOSABLE = PackagedDisposableDomains()


def guard(clock=None, **limits) -> SignUpGuard:
    return SignUpGuard(DISPOSABLE, MemoryRateCounter(), clock or ManualClock(START_MS), **limits)


def sign_up(email: str, source: str = SELF_SIGN_UP) -> SignUp:
    return SignUp(email=email, source=source)


@pytest.mark.parametrize("email", [
    "someone@mailinator.com", "x@YOPMAIL.COM", "bot@10minutemail.com", "a@guerrillamail.com",
    # A subdomain of a disposable service is the service's, and a trailing dot changes nothing.
    "inbox@team.mailinator.com", "inbox@mailinator.com.",
])
def test_a_disposable_address_is_refused_with_words_a_person_understands(email):
    with pytest.raises(SignUpRefused) as refused:
        guard().check(sign_up(email))
    assert refused.value.code == "disposable_email"
    assert "disposable" in str(refused.value) and "work address" in str(refused.value)


@pytest.mark.parametrize("email", ["owner@joes-plumbing.example", "ANNA@Gmail.com", "ops@mail.example.co.uk",
                                   "demo@ringback.local"])
def test_ordinary_addresses_sign_up(email):
    guard().check(sign_up(email))


def test_a_colleague_invited_by_a_member_is_never_refused():
    checker = guard(per_domain=Limit("signup-domain", per_window=1, window_seconds=3600))
    checker.check(sign_up("first@acme.example"))
    # The member chose the address; even a throwaway one, or one more from a busy domain.
    checker.check(sign_up("temp@mailinator.com", INVITATION))
    for _ in range(5):
        checker.check(sign_up("next@acme.example", INVITATION))


def test_a_run_of_sign_ups_on_one_domain_is_stopped_until_the_next_hour():
    clock = ManualClock(START_MS)
    checker = guard(clock)
    for i in range(PER_DOMAIN.per_window):
        checker.check(sign_up(f"user{i}@catch-all.example"))
    with pytest.raises(SignUpRefused) as refused:
        checker.check(sign_up("one-more@Catch-All.example"))
    assert refused.value.code == "sign_up_rate" and refused.value.details == {"limit": "signup-domain"}
    # 10:13 now: the window ends at 11:00.
    assert "try again in 47 minutes" in str(refused.value)
    checker.check(sign_up("someone@another-company.example"))  # other domains are unaffected
    clock.advance(minutes=47)
    checker.check(sign_up("later@catch-all.example"))


def test_many_people_on_one_public_mail_provider_are_not_one_actor():
    checker = guard()
    for i in range(PER_DOMAIN.per_window * 2):
        checker.check(sign_up(f"person{i}@gmail.com"))


def test_the_pool_limit_stops_a_flood_that_rotates_domains():
    checker = guard(per_pool=Limit("signup-pool", per_window=3, window_seconds=3600))
    for i in range(3):
        checker.check(sign_up(f"a@rotating-{i}.example"))
    with pytest.raises(SignUpRefused) as refused:
        checker.check(sign_up("a@rotating-3.example"))
    assert refused.value.details == {"limit": "signup-pool"}


def test_refused_disposable_sign_ups_do_not_use_up_the_allowance():
    checker = guard(per_pool=Limit("signup-pool", per_window=2, window_seconds=3600))
    for _ in range(10):
        with pytest.raises(SignUpRefused):
            checker.check(sign_up("bot@mailinator.com"))
    checker.check(sign_up("real@acme.example"))
    checker.check(sign_up("also-real@acme.example"))


@pytest.mark.parametrize("email", ["", "no-at-sign", "@acme.example", "someone@"])
def test_an_address_that_is_not_one_is_refused(email):
    with pytest.raises(SignUpRefused) as refused:
        guard().check(sign_up(email))
    assert refused.value.code == "invalid_email"


def test_every_refusal_is_counted_for_the_operators_and_nothing_else_is():
    # Cognito hears of a refusal only as a failed invocation; the count is what lets the
    # trigger's errors alarm tell the guard at work from a real failure.
    metrics = CountedMetrics()
    checker = SignUpGuard(DISPOSABLE, MemoryRateCounter(), ManualClock(START_MS),
                          per_pool=Limit("signup-pool", per_window=1, window_seconds=3600), metrics=metrics)
    checker.check(sign_up("real@acme.example"))
    checker.check(sign_up("temp@mailinator.com", INVITATION))
    assert metrics.total(Metric.SIGN_UPS_REFUSED) == 0
    for email in ("bot@mailinator.com", "no-at-sign", "second@acme.example"):  # disposable, invalid, over the rate
        with pytest.raises(SignUpRefused):
            checker.check(sign_up(email))
    assert metrics.total(Metric.SIGN_UPS_REFUSED) == 3


def test_a_failure_that_is_no_refusal_is_not_counted_as_one():
    class Broken:
        def hit(self, *args, **kwargs):
            raise ConnectionError("the rate counters' table is unreachable")

    metrics = CountedMetrics()
    checker = SignUpGuard(DISPOSABLE, Broken(), ManualClock(START_MS), metrics=metrics)
    with pytest.raises(ConnectionError):
        checker.check(sign_up("real@acme.example"))
    assert metrics.total(Metric.SIGN_UPS_REFUSED) == 0
