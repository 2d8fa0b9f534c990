"""``make bench``'s latency segments read real paid claims: every step of the path is found in
the services' databases (a renamed column or message field would leave a segment empty)."""

from __future__ import annotations

import httpx
import pytest

from bench import flows
from bench.load import LoadClient
from bench.segments import SEGMENTS, STEPS, cut, flow_stamps, latency_segments
from tests.e2e.stack import Stack
from warranty_client.http import Urls


async def test_every_step_of_a_paid_claim_is_stamped(stack: Stack, urls: Urls,
                                                     http: httpx.AsyncClient) -> None:
    dbs = {s: stack.env[f"{s.upper()}_DATABASE_URL"] for s in ("claims", "payouts")}
    prepared = await flows.prepare(http, urls, 2)  # one claim credit, one BYOP reimbursement
    async with LoadClient() as load:
        outcome = await flows.open_loop(load, urls, prepared, 10, dbs)
    assert outcome.paid == 2

    found = await flow_stamps(prepared, dbs)
    for flow in prepared:
        assert set(STEPS) - {"started"} <= set(found[flow.claim_id]), flow.kind
    durations = cut(prepared, found)
    for name, _ in SEGMENTS:
        assert len(durations[name]) == 2 and min(durations[name]) >= 0, name
    # The segments tile the path: per flow they add up to the time from approval to Paid.
    assert sum(map(sum, durations.values())) == pytest.approx(sum(outcome.latencies_ms), abs=1)

    figures = await latency_segments(prepared, dbs)
    assert [name for name, _ in SEGMENTS] == list(figures)
    assert all(seg["flows"] == 2 for seg in figures.values())
