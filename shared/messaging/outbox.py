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
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.messaging.tables import outbox

if TYPE_CHECKING:
    from shared.messaging.envelope import Envelope

log = logging.getLogger(__name__)


class RawPublisher(Protocol):
    async def publish_raw(
        self, *, exchange: str, routing_key: str, body: bytes, message_id: str,
        message_type: str, correlation_id: str,
    ) -> None: ...


async def stage_outbox_rows(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    await session.execute(
        insert(outbox),
        [
            {
                "message_id": env.message_id,
                "type": env.type,
                "version": env.version,
                "exchange": env.exchange,
                "routing_key": env.routing_key,
                "correlation_id": env.correlation_id,
                "body": env.model_dump_json(),
            }
            for env in envelopes
        ],
    )


class OutboxRelay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        publisher: RawPublisher,
        *,
        batch_size: int = 200,
        poll_interval_s: float = 0.2,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s

    async def relay_once(self) -> int:
        """Publish one batch. Returns how many rows were published."""
        async with self._sessionmaker() as session, session.begin():
            rows = (
                await session.execute(
                    select(outbox)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            results = await asyncio.gather(
                *(
                    self._publisher.publish_raw(
                        exchange=row.exchange,
                        routing_key=row.routing_key,
                        body=row.body.encode(),
                        message_id=str(row.message_id),
                        message_type=row.type,
                        correlation_id=row.correlation_id,
                    )
                    for row in rows
                ),
                return_exceptions=True,
            )
            done = [row.id for row, res in zip(rows, results, strict=True) if res is None]
            failed = [(row, res) for row, res in zip(rows, results, strict=True) if res is not None]
            if done:
                await session.execute(
                    update(outbox).where(outbox.c.id.in_(done)).values(published_at=func.now())
                )
            for row, err in failed:
                log.warning(
                    "outbox publish failed; will retry",
                    extra={"message_id": row.message_id, "message_type": row.type,
                           "correlation_id": row.correlation_id},
                )
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id)
                    .values(
                        publish_attempts=outbox.c.publish_attempts + 1,
                        last_error=repr(err)[:500],
                    )
                )
            return len(done)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                published = await self.relay_once()
            except Exception:
                # Broker or database away: keep the rows, try again shortly.
                log.exception("outbox relay pass failed")
                published = 0
            if published < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._poll_interval_s)


async def outbox_backlog(session: AsyncSession) -> int:
    return int(
        (
            await session.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        ).scalar_one()
    )
