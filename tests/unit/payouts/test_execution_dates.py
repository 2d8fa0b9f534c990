"""``requestedExecutionDate``: Federal Reserve business days and the ACH cut-off in New York."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.payouts.domain.execution_dates import (
    MAX_DAYS_AHEAD,
    NEW_YORK,
    execution_date,
    is_business_day,
    schedules_with,
)
from services.payouts.domain.model import Rail
from services.payouts.settings import PayoutsSettings

instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                        timezones=st.just(UTC))
rails = st.sampled_from(list(Rail))


def ny(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK).astimezone(UTC)


@settings(max_examples=2000, deadline=None)
@given(instants, st.sampled_from([Rail.CONCOURSE, Rail.CHECK]))
def test_an_ach_date_is_a_business_day_from_today_to_n_days_ahead(
    now: datetime, rail: Rail
) -> None:
    today = now.astimezone(NEW_YORK).date()
    day = execution_date(now, rail)
    assert day.weekday() < 5
    assert is_business_day(day)
    assert today <= day <= today + timedelta(days=MAX_DAYS_AHEAD)


@settings(max_examples=500, deadline=None)
@given(instants)
def test_zelle_executes_today_in_new_york_every_day(now: datetime) -> None:
    assert execution_date(now, Rail.ZELLE) == now.astimezone(NEW_YORK).date()


@settings(max_examples=500, deadline=None)
@given(instants, st.times(), rails)
def test_no_date_is_before_today_in_new_york_whatever_the_cutoff(
    now: datetime, cutoff: time, rail: Rail
) -> None:
    day = execution_date(now, rail, schedules_with(cutoff))
    assert day >= now.astimezone(NEW_YORK).date()


@settings(max_examples=500, deadline=None)
@given(instants)
def test_before_the_cutoff_on_a_business_day_it_is_today_and_after_it_a_later_day(
    now: datetime,
) -> None:
    local = now.astimezone(NEW_YORK)
    day = execution_date(now, Rail.CONCOURSE)
    if is_business_day(local.date()) and local.time() < time(17):
        assert day == local.date()
    else:
        assert day > local.date()


@pytest.mark.parametrize(("now", "expected", "why"), [
    (ny(date(2025, 11, 10), 16, 59), date(2025, 11, 10), "Monday before the 17:00 cut-off"),
    (ny(date(2025, 11, 10), 17, 0), date(2025, 11, 12), "at the cut-off; 11-11 Veterans Day"),
    (ny(date(2025, 10, 10), 18), date(2025, 10, 14), "Friday late; Monday is Columbus Day"),
    (ny(date(2026, 7, 3), 9), date(2026, 7, 3), "July 4th on a Saturday: the Fed opens Friday"),
    (ny(date(2027, 7, 5), 9), date(2027, 7, 6), "July 4th on a Sunday: closed Monday"),
    (ny(date(2026, 4, 3), 9), date(2026, 4, 3), "Good Friday: the NYSE closes, the Fed not"),
    (ny(date(2025, 12, 24), 20), date(2025, 12, 26), "Christmas Eve late"),
    (datetime(2025, 11, 8, 3, tzinfo=UTC), date(2025, 11, 10),
     "Friday 22:00 in New York is already Saturday in UTC: the New York date counts"),
])
def test_known_days(now: datetime, expected: date, why: str) -> None:
    assert execution_date(now, Rail.CONCOURSE) == expected, why


def test_the_cutoff_is_configurable() -> None:
    evening = ny(date(2025, 11, 10), 18)
    assert execution_date(evening, Rail.CONCOURSE) == date(2025, 11, 12)
    assert execution_date(evening, Rail.CONCOURSE, schedules_with(time(19))) == date(2025, 11, 10)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        execution_date(datetime(2025, 11, 10, 12), Rail.CONCOURSE)


def test_the_settings_carry_the_ach_cutoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYOUTS_ACH_CUTOFF", "15:30")
    schedules = PayoutsSettings().execution_schedules
    assert schedules[Rail.CONCOURSE].cutoff == time(15, 30)
    assert schedules[Rail.ZELLE].cutoff is None
