"""Quiescence: after the faults, wait until nothing can still move (outboxes sent, queues
drained, every payout final or unable to progress), before the audit looks."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg
import httpx
from aio_pika.abc import AbstractRobustConnection
from aiormq.exceptions import ChannelNotFoundEntity

from shared.messaging.topology import QUEUES, named, retry_queue


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def fetch(url: str, sql: str, patience_s: float = 120) -> list[asyncpg.Record]:
    """Read like a patient client: PostgreSQL may be restarting, or out of connection slots
    on a shared machine, for a while."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            conn = await asyncpg.connect(dsn(url), timeout=10)
            try:
                return list(await conn.fetch(sql))
            finally:
                await conn.close()
        except (OSError, asyncpg.PostgresConnectionError,  # OSError: timeouts included
                asyncpg.TooManyConnectionsError, asyncpg.CannotConnectNowError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


async def queue_depths(mq: AbstractRobustConnection, namespace: str,
                       retry_levels: int) -> dict[str, int]:
    """Ready messages in every work and retry queue of the namespace (parking excluded)."""
    depths: dict[str, int] = {}
    for spec in QUEUES.values():
        main = named(namespace, spec.name)
        for queue in [main, *(retry_queue(main, n) for n in range(retry_levels))]:
            channel = await mq.channel()
            try:
                declared = await channel.declare_queue(queue, passive=True)
                depths[queue] = declared.declaration_result.message_count or 0
            except ChannelNotFoundEntity:
                depths[queue] = 0
            finally:
                if not channel.is_closed:
                    await channel.close()
    return depths


@dataclass
class Pending:
    outbox: dict[str, int]
    queued: dict[str, int]  # non-empty queues only
    open_payouts: dict[str, int]
    unrequested: int  # approved claims whose payout the payouts service does not have yet

    @property
    def quiet(self) -> bool:
        return not any(self.outbox.values()) and not self.queued and not self.open_payouts \
            and not self.unrequested


async def pending(dbs: dict[str, str], mq: AbstractRobustConnection, namespace: str,
                  retry_levels: int) -> Pending:
    outbox = {s: len(await fetch(url, "SELECT id FROM outbox WHERE published_at IS NULL"))
              for s, url in dbs.items()}
    depths = await queue_depths(mq, namespace, retry_levels)
    open_rows = await fetch(dbs["payouts"], "SELECT rail || ':' || status AS k, count(*) AS n "
                             "FROM payouts WHERE status NOT IN ('paid', 'failed', 'returned', "
                             "'cancelled', 'rejected', 'expired', 'unclaimed') "
                             "GROUP BY 1")
    keys = {r["payout_key"] for r in await fetch(dbs["payouts"], "SELECT payout_key FROM payouts")}
    wanted = {r["payout_key"] for r in await fetch(dbs["claims"],
                                                    "SELECT payout_key FROM claim_payouts")}
    return Pending(outbox, {q: n for q, n in depths.items() if n},
                   {r["k"]: r["n"] for r in open_rows}, len(wanted - keys))


async def quiesce(dbs: dict[str, str], mq: AbstractRobustConnection, namespace: str,
                  sandbox_url: str, timeout_s: float, retry_levels: int = 2) -> Pending:
    """Wait until two looks in a row a second apart find nothing left to move; checks in the
    mail need days, so the sandbox clock is moved on while a check payout is open. Gives up
    when what is left has not changed for ``timeout_s`` (stuck, not slow)."""
    deadline = time.monotonic() + timeout_s
    quiet_once = False
    last: Pending | None = None
    async with httpx.AsyncClient(timeout=10) as http:
        while True:
            state = await pending(dbs, mq, namespace, retry_levels)
            if state.quiet and quiet_once:
                return state
            quiet_once = state.quiet
            if state != last:
                deadline, last = time.monotonic() + timeout_s, state
            if time.monotonic() > deadline:
                return state
            if any(k.startswith("check:") for k in state.open_payouts):
                await http.post(sandbox_url + "/sandbox/clock/advance", json={"days": 3})
            await asyncio.sleep(1)


