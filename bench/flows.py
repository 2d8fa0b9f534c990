"""Claim-to-payout under load: claims prepared up to Support Services' approval, then approved
over HTTP in a closed loop (fixed concurrency: throughput) or an open loop (fixed rate: latency).

A flow ends when the claim is Paid. Completion times are read from the claims audit trail (the
``paid`` transition) and the payouts status history (``submitted``: the provider accepted), not
by polling the API, so measuring adds no load to the path being measured.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg
import httpx

from scripts.demo import ClaimCreditFlow, Urls, expect


@dataclass
class Flow:
    claim_id: str
    support: dict[str, str]
    approved_at: float = 0.0  # wall clock, seconds
    http_ms: float = 0.0


@dataclass
class Outcome:
    offered: str
    flows: int
    elapsed_s: float
    paid: int
    latencies_ms: list[float] = field(default_factory=list)
    accepted_ms: list[float] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.paid / self.elapsed_s if self.elapsed_s else 0.0


async def prepare(http: httpx.AsyncClient, urls: Urls, count: int, concurrency: int = 16
                  ) -> list[Flow]:
    """Claims Under Review with Concourse selected: everything up to the approval."""
    flows: list[Flow] = []
    todo = asyncio.Queue[int]()
    for i in range(count):
        todo.put_nowait(i)

    async def worker() -> None:
        while not todo.empty():
            todo.get_nowait()
            flow = ClaimCreditFlow(http, urls, say=lambda _: None)
            claim = await flow.open_claim("125.00")
            expect(await flow.select_concourse(claim["id"]), 200)
            flows.append(Flow(claim["id"], flow.actors.support))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return flows


async def _approve(http: httpx.AsyncClient, urls: Urls, flow: Flow) -> None:
    flow.approved_at = time.time()
    started = time.perf_counter()
    response = await http.post(
        f"{urls.claims}/v1/claims/{flow.claim_id}/approve",
        headers={**flow.support, "Idempotency-Key": uuid.uuid4().hex}, json={})
    flow.http_ms = (time.perf_counter() - started) * 1000
    expect(response, 200)


async def closed_loop(http: httpx.AsyncClient, urls: Urls, flows: list[Flow], concurrency: int,
                      dbs: dict[str, str]) -> Outcome:
    queue = asyncio.Queue[Flow]()
    for flow in flows:
        queue.put_nowait(flow)

    async def worker() -> None:
        while not queue.empty():
            await _approve(http, urls, queue.get_nowait())

    started = time.time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return await _collect(flows, dbs, started, f"concurrency {concurrency}")


async def open_loop(http: httpx.AsyncClient, urls: Urls, flows: list[Flow], rate: float,
                    dbs: dict[str, str]) -> Outcome:
    started = time.time()
    tasks = []
    for index, flow in enumerate(flows):
        delay = started + index / rate - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_approve(http, urls, flow)))
    await asyncio.gather(*tasks)
    return await _collect(flows, dbs, started, f"{rate:g}/s")


async def _collect(flows: list[Flow], dbs: dict[str, str], started: float, offered: str,
                   timeout_s: float = 120) -> Outcome:
    ids = [f.claim_id for f in flows]
    claims = await asyncpg.connect(_dsn(dbs["claims"]))
    payouts = await asyncpg.connect(_dsn(dbs["payouts"]))
    try:
        deadline = time.time() + timeout_s
        while True:
            paid = await claims.fetch(
                "SELECT entity_id, at FROM audit_events WHERE entity = 'claim' "
                "AND to_status = 'paid' AND entity_id = ANY($1::text[])", ids)
            if len(paid) == len(ids) or time.time() > deadline:
                break
            await asyncio.sleep(0.05)
        accepted = await payouts.fetch(
            "SELECT p.source->>'claim_id' AS claim_id, min(h.occurred_at) AS at "
            "FROM payouts p JOIN payout_status_history h ON h.payout_id = p.id "
            "WHERE h.to_status IN ('submitted', 'paid') AND p.source->>'claim_id' = ANY($1) "
            "GROUP BY 1", ids)
    finally:
        await claims.close()
        await payouts.close()
    approved = {f.claim_id: f.approved_at for f in flows}
    paid_at = {r["entity_id"]: _ts(r["at"]) for r in paid}
    last = max(paid_at.values(), default=started)
    return Outcome(
        offered=offered, flows=len(flows), elapsed_s=max(last - started, 1e-6),
        paid=len(paid_at),
        latencies_ms=sorted((t - approved[c]) * 1000 for c, t in paid_at.items()),
        accepted_ms=sorted((_ts(r["at"]) - approved[r["claim_id"]]) * 1000 for r in accepted),
    )


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
