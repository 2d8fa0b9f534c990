"""Transactional outbox: messages are rows committed with the state change; a relay publishes them.

The relay locks a batch with ``FOR UPDATE SKIP LOCKED`` (so several relays never publish the same
row at once), publishes it with publisher confirms, and marks the rows published in the same
transaction only after every confirm arrived. A crash in between re-publishes the batch later:
delivery is at least once and consumers deduplicate with the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db.driver import transaction_driver
from shared.db.engine import connect_raw
from shared.loops import periodic
from shared.messaging.tables import outbox
from shared.metrics import OUTBOX_LAG, OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED

if TYPE_CHECKING:
    from shared.messaging.envelope import Envelope

log = logging.getLogger(__name__)


class RawPublisher(Protocol):
    async def publish_raw(
        self, *, exchange: str, routing_key: str, body: bytes, message_id: str,
        message_type: str, correlation_id: str,
    ) -> None: ...


# NOTIFY is transactional: the relay hears it when (and only if) the rows are committed, so it
# wakes on commit instead of sleeping on a timer. Several notifies in one transaction fold into one.
NOTIFY_CHANNEL = "outbox"


# One statement for any number of rows (so one prepared statement): the rows arrive as arrays,
# and the NOTIFY rides along as pg_notify in RETURNING (folded into one by PostgreSQL) instead of
# a round trip of its own in every transaction that emits. Plain asyncpg on the session's
# transaction (``shared/db/driver.py``): nearly every unit of work of the money path runs it.
_STAGE = (
    "INSERT INTO outbox (message_id, type, version, exchange, routing_key, correlation_id, body) "
    "SELECT * FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::text[], $5::text[], "
    "$6::text[], $7::text[]) RETURNING pg_notify($8, '')"
)


async def stage_outbox_rows(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    driver = await transaction_driver(session)
    await driver.execute(
        _STAGE,
        [env.message_id for env in envelopes],
        [env.type for env in envelopes],
        [env.version for env in envelopes],
        [env.exchange for env in envelopes],
        [env.routing_key for env in envelopes],
        [env.correlation_id for env in envelopes],
        [env.model_dump_json() for env in envelopes],
        NOTIFY_CHANNEL,
    )


# The relay's commit does not wait for the WAL's flush to disk: it only marks rows already
# confirmed by the broker. Lost in a crash of PostgreSQL, the marks are lost, and those rows are
# published again: at least once, as always, and the consumers' inbox drops the second copy. The
# business state they announce was committed, durably, by the unit of work that wrote them.
_BEGIN = "BEGIN; SET LOCAL synchronous_commit TO off"

_LOCK_BATCH = (
    "SELECT id, message_id, type, exchange, routing_key, correlation_id, body, created_at "
    "FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"
)


def mark_published_sql(ids: Sequence[int]) -> str:
    """The statement marking the rows ``ids`` published, with the ids written into its text.

    Sent without parameters (asyncpg then uses the simple query protocol), so PostgreSQL plans it on
    every pass with the table's current size. As a prepared statement (``id = ANY($1)``) it got the
    plan cached for it while the outbox of a new database was nearly empty, a sequential scan, and
    kept it as published rows piled up, until it was the largest PostgreSQL cost of a paid claim in
    the benchmark (``bench/RESULTS.md``, "Figures behind the code"). The ids are integers read from
    the table, so writing them into the text is safe. ``published_at IS NULL`` holds for every row
    marked here (they are locked since the batch read); it lets the plan use the small partial index
    of unpublished rows."""
    listed = ",".join(str(int(row_id)) for row_id in ids)
    return ("UPDATE outbox SET published_at = now() "  # noqa: S608 (integers only, see above)
            f"WHERE published_at IS NULL AND id = ANY('{{{listed}}}'::bigint[])")


_RECORD_FAILURE = (
    "UPDATE outbox SET publish_attempts = publish_attempts + 1, last_error = $2 WHERE id = $1"
)


class OutboxRelay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        publisher: RawPublisher,
        *,
        batch_size: int = 200,
        poll_interval_s: float = 0.2,
        listen_url: str | None = None,
    ) -> None:
        """``listen_url``: the database to LISTEN on for commits; without it the relay polls.
        With it, ``poll_interval_s`` is only the safety net for a missed notification."""
        engine = sessionmaker.kw.get("bind")
        assert isinstance(engine, AsyncEngine), "the relay needs a sessionmaker bound to an engine"
        self._engine = engine
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._listen_url = listen_url
        self._wake = asyncio.Event()

    async def relay_once(self) -> int:
        """Publish one batch. Returns how many rows were published.

        On the pool's asyncpg connection directly, not through the ORM session: the relay runs
        after every commit that wrote outbox rows, and a session would cost it about four times
        the CPU of its statements. Three round trips a pass: the transaction's start with its
        setting, the locked batch, the marking with the commit."""
        async with self._engine.connect() as conn:
            driver: asyncpg.Connection = (await conn.get_raw_connection()).driver_connection
            await driver.execute(_BEGIN)
            try:
                published = await self._pass(driver)
            except BaseException:
                try:
                    await driver.execute("ROLLBACK")
                except BaseException:
                    # The connection broke mid-pass: never hand it back to the pool in an
                    # open transaction.
                    await conn.invalidate()
                raise
            return published

    async def _pass(self, driver: asyncpg.Connection) -> int:
        rows = await driver.fetch(_LOCK_BATCH, self._batch_size)
        if not rows:
            await driver.execute("COMMIT")
            return 0
        results = await asyncio.gather(
            *(self._publish(row) for row in rows), return_exceptions=True
        )
        done = [row for row, res in zip(rows, results, strict=True) if res is None]
        for row, err in zip(rows, results, strict=True):
            if err is not None:
                await self._record_failure(driver, row, err)
        # The marking and the commit in one round trip (a simple query of two statements).
        await driver.execute(
            f"{mark_published_sql([row['id'] for row in done])}; COMMIT" if done else "COMMIT")
        _observe_published(done)
        return len(done)

    async def _publish(self, row: asyncpg.Record) -> None:
        await self._publisher.publish_raw(
            exchange=row["exchange"], routing_key=row["routing_key"], body=row["body"].encode(),
            message_id=str(row["message_id"]), message_type=row["type"],
            correlation_id=row["correlation_id"],
        )

    @staticmethod
    async def _record_failure(driver: asyncpg.Connection, row: asyncpg.Record,
                              err: BaseException) -> None:
        OUTBOX_PUBLISH_FAILURES.labels(row["exchange"]).inc()
        log.warning(
            "outbox publish failed; will retry",
            extra={"message_id": row["message_id"], "message_type": row["type"],
                   "correlation_id": row["correlation_id"]},
        )
        await driver.execute(_RECORD_FAILURE, row["id"], repr(err)[:500])

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until stopped, on the platform's one periodic loop: again at once after a whole
        batch, else after the poll interval, cut short by a NOTIFY of a commit (``_listen``)."""
        listener = (
            asyncio.create_task(self._listen(stop), name="outbox-listen")
            if self._listen_url else None
        )
        relay = periodic("outbox-relay", self.relay_once, self._poll_interval_s,
                         batch=self._batch_size, wake=self._wake)
        try:
            await relay(stop)
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener

    async def _listen(self, stop: asyncio.Event) -> None:
        """Hold a LISTEN connection; reconnect after a database restart."""
        assert self._listen_url is not None
        while not stop.is_set():
            try:
                conn = await connect_raw(self._listen_url)
            except Exception:
                log.warning("outbox relay cannot LISTEN yet; polling meanwhile")
                await asyncio.sleep(2)
                continue
            try:
                await self._listen_until_lost(conn)
            except Exception:
                log.warning("outbox LISTEN connection failed; reconnecting")
            finally:
                if not conn.is_closed():
                    await conn.close()

    async def _listen_until_lost(self, conn: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        conn.add_termination_listener(lambda *_: lost.set())
        await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
        self._wake.set()  # rows committed while nobody was listening
        await lost.wait()


def _observe_published(rows: Sequence[asyncpg.Record]) -> None:
    now = datetime.now(UTC)
    for row in rows:
        OUTBOX_PUBLISHED.labels(row["exchange"]).inc()
        OUTBOX_LAG.observe(max((now - row["created_at"]).total_seconds(), 0.0))


async def outbox_backlog(session: AsyncSession) -> int:
    return int(
        (
            await session.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        ).scalar_one()
    )
