"""The ``requestedExecutionDate`` of a bank payment: which day the bank can execute it.

ACH (and Concourse, which pays by ACH) settles only on the days the Federal Reserve Banks
are open, and only if the file reaches the bank before its cut-off (Eastern time). Zelle
settles in real time every day of the year, so its execution date is always today in New York.

The calendar is the ``holidays`` library's ``FederalReserve`` (market ``XFED``), not the NYSE's
and not ``holidays.US``: the NYSE is open on Columbus Day and Veterans Day, when the Fed (and
so ACH) is closed, and closed on Good Friday, when ACH settles; ``holidays.US`` moves a
Saturday holiday to the Friday before, while the Federal Reserve Banks are open that Friday
(FedACH settles on it). ``FederalReserve`` encodes exactly the K.8 rule: a Sunday holiday is
observed on Monday, a Saturday one not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from services.payouts.domain.model import Rail

NEW_YORK = ZoneInfo("America/New_York")
# No two Federal Reserve holidays fall on consecutive days, so the longest closed stretch is a
# weekend plus one holiday: from a Friday after the cut-off, the next business day is at most
# four days ahead (Tuesday after a Monday holiday).
MAX_DAYS_AHEAD = 4


@dataclass(frozen=True)
class RailSchedule:
    """When a rail executes: ``cutoff`` (New York time; ``None``: any time of day) and whether
    it executes only on Federal Reserve business days."""

    cutoff: time | None
    business_days_only: bool


DEFAULT_SCHEDULES: Mapping[Rail, RailSchedule] = {
    Rail.CONCOURSE: RailSchedule(cutoff=time(17, 0), business_days_only=True),
    Rail.ZELLE: RailSchedule(cutoff=None, business_days_only=False),
    # Lob prints and mails on business days; it takes a check until its own cut-off, which
    # the check rail's adapter owns. Dated here as ACH is, so no check is dated on a holiday.
    Rail.CHECK: RailSchedule(cutoff=time(17, 0), business_days_only=True),
}


class _FedCalendar:
    """Federal Reserve closed days, by year, loaded once per year asked."""

    def __init__(self) -> None:
        self._closed = holidays.financial_holidays("XFED")

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._closed


FED = _FedCalendar()


def is_business_day(day: date) -> bool:
    """A day the Federal Reserve Banks are open (ACH settles): Monday-Friday, no Fed holiday."""
    return FED.is_business_day(day)


def next_business_day(day: date) -> date:
    """The first business day strictly after ``day``."""
    for ahead in range(1, MAX_DAYS_AHEAD + 1):
        candidate = day + timedelta(days=ahead)
        if is_business_day(candidate):
            return candidate
    raise AssertionError(f"no business day within {MAX_DAYS_AHEAD} days of {day}")


def schedules_with(ach_cutoff: time) -> Mapping[Rail, RailSchedule]:
    """The default schedules with the ACH rails' cut-off replaced (the bank's agreement)."""
    ach = RailSchedule(cutoff=ach_cutoff, business_days_only=True)
    return {**DEFAULT_SCHEDULES, Rail.CONCOURSE: ach, Rail.CHECK: ach}


def execution_date(
    now_utc: datetime, rail: Rail,
    schedules: Mapping[Rail, RailSchedule] = DEFAULT_SCHEDULES,
) -> date:
    """The date to request: today in New York if the rail executes today and its cut-off has
    not passed, else the rail's next execution day."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    schedule = schedules[rail]
    local = now_utc.astimezone(NEW_YORK)
    today = local.date()
    if not schedule.business_days_only:
        return today
    # At the cut-off itself the file is late: the bank takes what arrived *before* it.
    before_cutoff = schedule.cutoff is None or local.time() < schedule.cutoff
    if before_cutoff and is_business_day(today):
        return today
    return next_business_day(today)

