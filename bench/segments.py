"""Where the time from approval to Paid goes: each flow's path cut into the steps it crosses.

Every step leaves a timestamp in a service's database (the approval and Paid in the claims audit
trail, the relays' passes in the outboxes, the consumers' transactions in the inboxes, the
attempt and the payout's statuses in payouts), so the path of each paid claim can be cut after
the run without adding anything to it. A segment ends when the next step stamps its row: the
audit trail and the payout history take the use case's clock, the inbox and the outbox's
``published_at`` their transaction's start.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from bench.flows import Flow, percentile
from shared.db.engine import connect_raw

# (name, what the time is spent on), in path order: each ends where the next one starts.
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("approval", "the approval's request until its use case stamps the claim approved"),
    ("claims relay", "until the claims relay's pass that publishes the payout command begins"),
    ("to payouts", "publish with confirm, delivery, until the payouts consumer's transaction"),
    ("to dispatch", "the consumer's transaction, until the dispatcher creates the attempt"),
    ("rail send", "the rail's send until its answer is recorded"),
    ("rail callback", "until the provider's callback records the payout paid"),
    ("payouts relay", "until the payouts relay's pass that publishes payout_paid begins"),
    ("to claims", "publish with confirm, delivery, until the claims consumer's transaction"),
    ("claim paid", "the consumer's transaction until it stamps the claim Paid"),
)

# Each query gives (claim_id, step, at). $1: the flows' claim ids; $2/$3: message ids and the
# claim ids they carry (the messages that crossed from the other database).
_CLAIMS_STAMPS = (
    "SELECT entity_id AS claim_id, to_status AS step, min(at) AS at FROM audit_events "
    "WHERE entity = 'claim' AND to_status IN ('approved', 'paid') "
    "AND entity_id = ANY($1::text[]) GROUP BY 1, 2",
    "SELECT body::jsonb #>> '{payload,source,claim_id}' AS claim_id, 'command published' AS step, "
    "min(published_at) AS at FROM outbox WHERE type = 'payouts.request_payout' "
    "AND body::jsonb #>> '{payload,source,claim_id}' = ANY($1::text[]) GROUP BY 1",
)
_PAYOUTS_STAMPS = (
    "SELECT p.claim_id, 'attempt' AS step, min(a.created_at) AS at FROM payouts p "
    "JOIN payout_attempts a ON a.payout_id = p.id WHERE p.claim_id = ANY($1::text[]) GROUP BY 1",
    "SELECT p.claim_id, 'payout ' || h.to_status AS step, min(h.occurred_at) AS at FROM payouts p "
    "JOIN payout_status_history h ON h.payout_id = p.id WHERE p.claim_id = ANY($1::text[]) "
    "AND h.to_status IN ('submitted', 'paid') GROUP BY 1, 2",
    "SELECT body::jsonb #>> '{payload,source,claim_id}' AS claim_id, 'paid published' AS step, "
    "min(published_at) AS at FROM outbox WHERE type = 'payouts.payout_paid' "
    "AND body::jsonb #>> '{payload,source,claim_id}' = ANY($1::text[]) GROUP BY 1",
)
_RECEIVED = (
    "SELECT m.claim_id, $3::text AS step, min(i.received_at) AS at FROM inbox i "
    "JOIN unnest($1::uuid[], $2::text[]) AS m(message_id, claim_id) USING (message_id) GROUP BY 1"
)
_MESSAGES = (
    "SELECT message_id, body::jsonb #>> '{payload,source,claim_id}' AS claim_id FROM outbox "
    "WHERE type = $2 "
    "AND body::jsonb #>> '{payload,source,claim_id}' = ANY($1::text[])"
)

# The steps of a paid claim's path in order; SEGMENTS[i] runs from STEPS[i] to STEPS[i + 1].
STEPS = ("started", "approved", "command published", "command received", "attempt",
         "payout submitted", "payout paid", "paid published", "paid received", "paid")


async def stamps(claims: asyncpg.Connection, payouts: asyncpg.Connection,
                 claim_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """claim id -> step -> epoch seconds, read from both databases."""
    ids = list(claim_ids)
    rows: list[Any] = []
    for query in _CLAIMS_STAMPS:
        rows += await claims.fetch(query, ids)
    for query in _PAYOUTS_STAMPS:
        rows += await payouts.fetch(query, ids)
    commands = await claims.fetch(_MESSAGES, ids, "payouts.request_payout")
    rows += await payouts.fetch(_RECEIVED, [r["message_id"] for r in commands],
                                [r["claim_id"] for r in commands], "command received")
    paid_events = await payouts.fetch(_MESSAGES, ids, "payouts.payout_paid")
    rows += await claims.fetch(_RECEIVED, [r["message_id"] for r in paid_events],
                               [r["claim_id"] for r in paid_events], "paid received")
    found: dict[str, dict[str, float]] = {}
    for row in rows:
        if row["at"] is not None:
            found.setdefault(row["claim_id"], {})[row["step"]] = row["at"].timestamp()
    return found


def cut(flows: Sequence[Flow], found: dict[str, dict[str, float]]) -> dict[str, list[float]]:
    """Each segment's durations (ms) over the flows whose path has both its ends.

    A payout paid before its send's answer was recorded (the provider's callback came first, or
    the answer said paid) has no callback wait: its send ends when it was paid, its callback
    segment is zero."""
    durations: dict[str, list[float]] = {name: [] for name, _ in SEGMENTS}
    for flow in flows:
        at = dict(found.get(flow.claim_id, {}), started=flow.approved_at)
        if "payout paid" in at:
            at["payout submitted"] = min(at.get("payout submitted", at["payout paid"]),
                                         at["payout paid"])
        for (name, _), begin, end in zip(SEGMENTS, STEPS[:-1], STEPS[1:], strict=True):
            if begin in at and end in at:
                durations[name].append((at[end] - at[begin]) * 1000)
    return durations


async def flow_stamps(flows: Sequence[Flow], dbs: dict[str, str]) -> dict[str, dict[str, float]]:
    """``stamps`` of the flows' claims, over connections of their own to the claims and
    payouts databases (``dbs``: service -> URL)."""
    claims = await connect_raw(dbs["claims"])
    payouts = await connect_raw(dbs["payouts"])
    try:
        return await stamps(claims, payouts, [f.claim_id for f in flows])
    finally:
        await claims.close()
        await payouts.close()


async def latency_segments(flows: Sequence[Flow], dbs: dict[str, str]) -> dict[str, Any]:
    """p50 / p90 / p99 of each segment, and its share of the mean time to Paid."""
    durations = cut(flows, await flow_stamps(flows, dbs))
    total = sum(sum(ms) / len(ms) for ms in durations.values() if ms) or 1.0
    return {name: _figures(durations[name], total) for name, _ in SEGMENTS}


def _figures(ms: list[float], total_mean: float) -> dict[str, Any]:
    if not ms:
        return {"flows": 0}
    return {"p50_ms": round(percentile(ms, 50), 1), "p90_ms": round(percentile(ms, 90), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "share_of_mean": round(sum(ms) / len(ms) / total_mean, 3), "flows": len(ms)}
