"""The service clock: what a service calls "now" is the wall clock plus an offset.

Development and test move a service's clock forward (``POST /v1/ops/clock``, see
``shared.clock_routes``) so that what waits a day (a service job nobody accepts in 24 h, a Zelle
payout not paid in 24 h) can be tested in seconds. Production never mounts that route, so its
offset stays 0.

The offset lives in the service's own database (the one-row table ``service_clock``), because a
service's API and worker are separate processes, possibly several replicas each, and must agree
on the time. Each process keeps the offset it last read (``ServiceClock``) and reads it again
where a decision depends on time (the timers, at the start of each pass) and every second or so
(``follow``), so stamps written by any process stay in step.

The offset only grows: timestamps already written (a job's ``created_at``, a payout's
``deadline_at``, the status histories) were taken on the service clock, and a clock that went
back would write later events before earlier ones and make elapsed times negative. For the same
reason a process never lowers the offset it holds, even when a read returns less.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    MetaData,
    SmallInteger,
    Table,
    bindparam,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.loops import Loop, periodic

if TYPE_CHECKING:
    from shared.settings import PlatformSettings

log = logging.getLogger(__name__)

TABLE = "service_clock"
ROW_ID = 1  # the table holds at most this one row; no row means no offset
# One call moves the clock at most a year, and all calls together at most ten years: enough for
# every deadline the platform has (24 h, 14 days, 180 days), far from datetime's year 9999.
MAX_ADVANCE_SECONDS = 366 * 24 * 3600
MAX_OFFSET_SECONDS = 10 * 366 * 24 * 3600
FOLLOW_INTERVAL_S = 1.0


def adjustable(settings: PlatformSettings) -> bool:
    """May this deployment's clock be moved? Never in production."""
    return settings.environment != "production"


def wall_clock() -> datetime:
    return datetime.now(UTC)


def clock_table(metadata: MetaData) -> Table:
    """The ``service_clock`` table in a service's metadata (its migration creates it)."""
    return Table(
        TABLE,
        metadata,
        Column("id", SmallInteger, primary_key=True, autoincrement=False),
        Column("offset_seconds", BigInteger, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        CheckConstraint(f"id = {ROW_ID}", name="one_row"),
        CheckConstraint("offset_seconds >= 0", name="forward_only"),
    )


class ClockLimitError(Exception):
    """The clock would move past ``MAX_OFFSET_SECONDS`` ahead of the wall clock."""


@dataclass(frozen=True)
class ClockReading:
    now: datetime
    offset_seconds: int


# Only the offset grows; the row is created by the first advance (no row: offset 0).
_READ = text(f"SELECT offset_seconds FROM {TABLE} WHERE id = {ROW_ID}")  # noqa: S608 (constants)
_ADVANCE = text(
    f"INSERT INTO {TABLE} AS c (id, offset_seconds, updated_at)"  # noqa: S608 (constants)
    f" VALUES ({ROW_ID}, :seconds, :wall)"
    " ON CONFLICT (id) DO UPDATE SET offset_seconds = c.offset_seconds + EXCLUDED.offset_seconds,"
    " updated_at = EXCLUDED.updated_at"
    " WHERE c.offset_seconds + EXCLUDED.offset_seconds <= :max_offset"
    " RETURNING offset_seconds"
).bindparams(bindparam("wall", type_=DateTime(timezone=True)))


class ServiceClock:
    """This process's view of its service's clock: ``now()`` is the wall clock plus the offset
    last read from (or written to) the service's database."""

    def __init__(self, wall: Callable[[], datetime] = wall_clock) -> None:
        self._wall = wall
        self._offset_seconds = 0

    def now(self) -> datetime:
        return self._wall() + timedelta(seconds=self._offset_seconds)

    __call__ = now  # a ServiceClock is a ``Callable[[], datetime]`` where one is expected

    @property
    def offset_seconds(self) -> int:
        return self._offset_seconds

    def reading(self) -> ClockReading:
        return ClockReading(self.now(), self._offset_seconds)

    def _keep(self, offset_seconds: int) -> None:
        # Never backwards (see the module docstring), whatever order reads come back in.
        self._offset_seconds = max(self._offset_seconds, offset_seconds)

    async def sync(self, session: AsyncSession) -> datetime:
        """Read the shared offset (in ``session``'s transaction); returns the new now."""
        offset = (await session.execute(_READ)).scalar_one_or_none()
        self._keep(int(offset or 0))
        return self.now()

    async def advance(self, session: AsyncSession, seconds: int) -> ClockReading:
        """Move the shared clock ``seconds`` forward; the caller commits."""
        if not 0 < seconds <= MAX_ADVANCE_SECONDS:
            raise ValueError(f"advance by 1..{MAX_ADVANCE_SECONDS} seconds, not {seconds}")
        offset = (await session.execute(_ADVANCE, {
            "seconds": seconds, "wall": self._wall(), "max_offset": MAX_OFFSET_SECONDS,
        })).scalar_one_or_none()
        if offset is None:  # the WHERE of the upsert refused it
            raise ClockLimitError(
                f"the clock may run at most {MAX_OFFSET_SECONDS} s ahead of real time")
        self._keep(int(offset))
        return self.reading()


async def synced(clock: ServiceClock, sessionmaker: async_sessionmaker[AsyncSession]) -> datetime:
    """Read the shared offset in a short transaction of its own; returns the new now."""
    async with sessionmaker() as session, session.begin():
        return await clock.sync(session)


async def advance(clock: ServiceClock, sessionmaker: async_sessionmaker[AsyncSession],
                  seconds: int) -> ClockReading:
    """Move the shared clock forward in a transaction of its own."""
    async with sessionmaker() as session, session.begin():
        return await clock.advance(session, seconds)


def follow(clock: ServiceClock, sessionmaker: async_sessionmaker[AsyncSession],
           interval_s: float = FOLLOW_INTERVAL_S) -> Loop:
    """A loop (a worker's, or an API process's background task) that reads the shared offset
    every ``interval_s``: another process's advance reaches this one's stamps within it."""

    async def read() -> int:
        await synced(clock, sessionmaker)
        return 0  # nothing queued behind it: always pause

    return periodic("service-clock", read, interval_s, batch=1)


@asynccontextmanager
async def following(clock: ServiceClock, sessionmaker: async_sessionmaker[AsyncSession], *,
                    enabled: bool) -> AsyncIterator[None]:
    """Run ``follow`` in the background while the block runs (an API process's lifespan)."""
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(follow(clock, sessionmaker)(stop), name="follow-service-clock")
    try:
        yield
    finally:
        stop.set()
        await task
