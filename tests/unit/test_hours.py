from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ringback.errors import InvalidInput
from ringback.hours import is_open, next_opening

WEEKDAYS = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
LA = "America/Los_Angeles"


def at(*args, tz=LA):
    return int(datetime(*args, tzinfo=ZoneInfo(tz)).timestamp() * 1000)


def test_open_in_the_sites_own_timezone():
    assert is_open(WEEKDAYS, LA, at(2026, 11, 25, 9, 0))  # a Wednesday
    assert not is_open(WEEKDAYS, LA, at(2026, 11, 25, 18, 0))
    assert not is_open(WEEKDAYS, LA, at(2026, 11, 28, 12, 0))  # Saturday
    # 17:30 UTC is 09:30 in Los Angeles: open there, whatever the server's zone.
    assert is_open(WEEKDAYS, LA, at(2026, 11, 25, 17, 30, tz="UTC"))


def test_a_range_past_midnight_and_no_hours_at_all():
    night = {"fri": [["22:00", "02:00"]]}
    assert is_open(night, LA, at(2026, 11, 27, 23, 0))
    assert is_open(night, LA, at(2026, 11, 28, 1, 30))
    assert not is_open(night, LA, at(2026, 11, 28, 2, 30))
    assert is_open({}, LA, at(2026, 11, 28, 3, 0))


def test_next_opening_is_monday_morning_after_a_friday_evening():
    assert next_opening(WEEKDAYS, LA, at(2026, 11, 27, 19, 0)) == at(2026, 11, 30, 9, 0)
    now = at(2026, 11, 25, 10, 0)
    assert next_opening(WEEKDAYS, LA, now) == now


def test_bad_hours_and_zones_are_refused():
    with pytest.raises(InvalidInput):
        is_open({"mon": [["9am", "5pm"]]}, LA, at(2026, 11, 23, 10, 0))
    with pytest.raises(InvalidInput):
        is_open(WEEKDAYS, "Mars/Olympus", 0)
