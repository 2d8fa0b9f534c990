"""Claim-to-payout under load: claims prepared up to Support Services' approval, then approved
over HTTP in a closed loop (fixed concurrency: throughput) or an open loop (fixed rate: latency).

Two kinds of claim, alternating: a Claim Credit (seed 000) and a BYOP payment request (seed 001:
job, diagnosis and estimate, authorization, completion with the pro's invoice, payment request),
both to the customer by JP Morgan Concourse.

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

from bench.load import TRANSPORT_ERRORS, Answer, LoadClient
from bench.load import expect as expect_answer
from warranty_client.claim_credit import ClaimCreditFlow
from warranty_client.claims import ByopFlow
from warranty_client.http import FlowFailed, Urls, expect

KINDS = ("claim_credit", "byop")
RETRIES = 5


@dataclass
class Flow:
    claim_id: str
    support: dict[str, str]
    kind: str = "claim_credit"
    retries: int = 0  # approvals answered 5xx and retried with the same key
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
    by_kind_ms: dict[str, list[float]] = field(default_factory=dict)
    bench_queries: dict[str, int] = field(default_factory=dict)  # the collector's transactions
    approval_retries: int = 0

    @property
    def per_s(self) -> float:
        return self.paid / self.elapsed_s if self.elapsed_s else 0.0


async def prepare(http: httpx.AsyncClient, urls: Urls, count: int, concurrency: int = 16
                  ) -> list[Flow]:
    """Claims Under Review with Concourse selected: everything up to the approval. Kinds
    alternate, so every phase pays as many claim credits as BYOP requests (give or take one)."""
    flows: list[Flow] = []
    todo = asyncio.Queue[int]()
    for i in range(count):
        todo.put_nowait(i)

    async def worker() -> None:
        while not todo.empty():
            index = todo.get_nowait()
            kind = KINDS[index % len(KINDS)]
            for attempt in range(RETRIES):
                try:
                    flows.append(await (_byop(http, urls) if kind == "byop"
                                        else _credit(http, urls)))
                    break
                except (FlowFailed, httpx.TransportError):
                    # Another session restarting the shared PostgreSQL or RabbitMQ (a chaos
                    # run) fails a step with a 500: prepare a fresh claim instead.
                    if attempt == RETRIES - 1:
                        raise
                    await asyncio.sleep(1)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return flows


async def _credit(http: httpx.AsyncClient, urls: Urls) -> Flow:
    flow = ClaimCreditFlow(http, urls, say=lambda _: None)
    claim = await flow.open_claim("125.00")
    expect(await flow.select_concourse(claim["id"]), 200)
    return Flow(claim["id"], flow.actors.support, "claim_credit")


async def _byop(http: httpx.AsyncClient, urls: Urls) -> Flow:
    """Seed 001 up to the approval, as warranty_client.claims drives it (Concourse)."""
    flow = ByopFlow(http, urls, say=lambda _: None)
    claim = await flow.reimbursement_claim(estimate="950.00", authorized="900.00",
                                           invoice="862.37")
    await flow.select(claim["id"], {"rail": "concourse", "payee": "customer",
                                    "accept_terms": True}, flow.actors.customer)
    return Flow(claim["id"], flow.actors.support, "byop")


async def _approve(http: LoadClient, urls: Urls, flow: Flow) -> None:
    flow.approved_at = time.time()
    started = time.perf_counter()
    key = uuid.uuid4().hex
    url = f"{urls.claims}/v1/claims/{flow.claim_id}/approve"
    answer: Answer | None = None
    for attempt in range(RETRIES):
        try:
            answer = await http.post(url, headers={**flow.support, "Idempotency-Key": key},
                                     json_body={})
        except TRANSPORT_ERRORS:
            if attempt == RETRIES - 1:
                raise
            continue
        if answer.status < 500 or attempt == RETRIES - 1:
            break
        # A 500 says "safe to retry with the same Idempotency-Key": the approval happens once.
        flow.retries += 1
        await asyncio.sleep(0.5)
    flow.http_ms = (time.perf_counter() - started) * 1000
    assert answer is not None
    expect_answer(answer, 200, f"POST {url}")


async def closed_loop(http: LoadClient, urls: Urls, flows: list[Flow], concurrency: int,
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


async def open_loop(http: LoadClient, urls: Urls, flows: list[Flow], rate: float,
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
        polls = 0
        while True:
            polls += 1
            try:
                paid = await claims.fetch(
                    "SELECT entity_id, at FROM audit_events WHERE entity = 'claim' "
                    "AND to_status = 'paid' AND entity_id = ANY($1::text[])", ids)
            except (asyncpg.InterfaceError, asyncpg.InternalClientError, OSError,
                    asyncpg.PostgresConnectionError):
                # The reading connection broke (a PostgreSQL restart by a chaos run sharing the
                # server): the platform recovers by itself, so read again on a new connection.
                claims.terminate()
                claims = await _reconnect(dbs["claims"])
                continue
            if len(paid) == len(ids) or time.time() > deadline:
                break
            # Times come from the audit trail, so this interval does not change any latency.
            await asyncio.sleep(0.2)
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
    by_kind: dict[str, list[float]] = {}
    for f in flows:
        if f.claim_id in paid_at:
            by_kind.setdefault(f.kind, []).append((paid_at[f.claim_id] - f.approved_at) * 1000)
    return Outcome(
        offered=offered, flows=len(flows), elapsed_s=max(last - started, 1e-6),
        paid=len(paid_at),
        latencies_ms=sorted((t - approved[c]) * 1000 for c, t in paid_at.items()),
        accepted_ms=sorted((_ts(r["at"]) - approved[r["claim_id"]]) * 1000 for r in accepted),
        by_kind_ms=by_kind, bench_queries={"claims": polls, "payouts": 1},
        approval_retries=sum(f.retries for f in flows),
    )


async def _reconnect(url: str, timeout_s: float = 60) -> asyncpg.Connection:
    deadline = time.time() + timeout_s
    while True:
        try:
            return await asyncpg.connect(_dsn(url))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            if time.time() > deadline:
                raise
            await asyncio.sleep(0.5)


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
