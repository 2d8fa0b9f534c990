"""The service clock: wall clock plus an offset that only grows, moved by bounded steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import MAX_ADVANCE_SECONDS, ServiceClock
from shared.clock_routes import ClockAdvance

WALL = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


class _Result:
    def __init__(self, value: int | None) -> None:
        self._value = value

    def scalar_one_or_none(self) -> int | None:
        return self._value


class OffsetReads:
    """Answers each read of the clock row with the next of ``offsets`` (None: no row)."""

    def __init__(self, *offsets: int | None) -> None:
        self._offsets = list(offsets)

    async def execute(self, *_: Any, **__: Any) -> _Result:
        return _Result(self._offsets.pop(0))


def clock() -> ServiceClock:
    return ServiceClock(wall=lambda: WALL)


async def test_now_is_the_wall_clock_plus_the_offset_read() -> None:
    c = clock()
    assert c.now() == c() == WALL
    session = cast(AsyncSession, OffsetReads(None, 90000))
    assert await c.sync(session) == WALL  # no row yet: no offset
    assert await c.sync(session) == WALL + timedelta(hours=25)
    assert c.reading().offset_seconds == 90000


async def test_the_clock_never_goes_back_whatever_a_read_returns() -> None:
    c = clock()
    session = cast(AsyncSession, OffsetReads(7200, 3600, None, 10800))
    seen = [await c.sync(session) for _ in range(4)]
    assert seen == sorted(seen)
    assert [s - WALL for s in seen] == [timedelta(hours=h) for h in (2, 2, 2, 3)]


@pytest.mark.parametrize("seconds", [0, -1, MAX_ADVANCE_SECONDS + 1])
async def test_a_move_out_of_bounds_is_refused_before_any_write(seconds: int) -> None:
    c = clock()
    with pytest.raises(ValueError, match="advance by"):
        await c.advance(cast(AsyncSession, OffsetReads()), seconds)  # no answer to give
    assert c.offset_seconds == 0


@pytest.mark.parametrize("value", [-1, 0, MAX_ADVANCE_SECONDS + 1, 1.5, 60.0, "60", True, None])
def test_the_request_takes_only_a_bounded_whole_number_of_seconds(value: object) -> None:
    with pytest.raises(ValidationError):
        ClockAdvance.model_validate({"advance_seconds": value})


def test_the_request_takes_one_second_to_a_year() -> None:
    assert ClockAdvance.model_validate({"advance_seconds": 1}).advance_seconds == 1
    top = ClockAdvance.model_validate({"advance_seconds": MAX_ADVANCE_SECONDS})
    assert top.advance_seconds == MAX_ADVANCE_SECONDS
