"""What one paid claim costs: messages (outbox rows, by type) and committed database transactions.

Both are read from PostgreSQL around a closed-loop phase (approvals through Paid) and divided by
the claims paid in it. ``xact_commit`` of ``pg_stat_database`` counts every committed transaction
of the service's database, including the worker's idle timers (dispatcher, recovery, SLA, outbox
relay) during the phase and the bench's own completion queries (counted and subtracted here).
PostgreSQL flushes a backend's counters at most once a second, so the snapshot is taken after a
short settle pause.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg

SETTLE_S = 1.5  # > PGSTAT_MIN_INTERVAL (1 s): busy backends have flushed their counters


@dataclass
class Snapshot:
    commits: dict[str, int] = field(default_factory=dict)  # database -> xact_commit
    outbox: dict[str, dict[str, int]] = field(default_factory=dict)  # service -> type -> rows


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def snapshot(dbs: dict[str, str], *, settle: bool = True) -> Snapshot:
    if settle:
        await asyncio.sleep(SETTLE_S)
    snap = Snapshot()
    for service, url in dbs.items():
        conn = await asyncpg.connect(_dsn(url))
        try:
            rows = await conn.fetch("SELECT type, count(*) AS n FROM outbox GROUP BY type")
            snap.outbox[service] = {r["type"]: int(r["n"]) for r in rows}
            await conn.execute("SELECT pg_stat_clear_snapshot()")
            snap.commits[service] = int(await conn.fetchval(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"))
        finally:
            await conn.close()
    return snap


def per_claim(before: Snapshot, after: Snapshot, paid: int,
              bench_queries: dict[str, int]) -> dict[str, Any]:
    """Deltas per paid claim; ``bench_queries`` are the bench's own transactions per database."""
    if not paid:
        return {}
    tx = {s: (after.commits[s] - before.commits[s] - bench_queries.get(s, 0)) / paid
          for s in after.commits}
    messages: dict[str, float] = {}
    for service, types in after.outbox.items():
        for kind, count in types.items():
            delta = count - before.outbox.get(service, {}).get(kind, 0)
            if delta:
                messages[kind] = round(delta / paid, 2)
    return {
        "db_tx_per_paid_claim": round(sum(tx.values()), 1),
        "db_tx_per_paid_claim_by_db": {s: round(v, 1) for s, v in tx.items()},
        "messages_per_paid_claim": round(sum(messages.values()), 2),
        "messages_per_paid_claim_by_type": messages,
    }
