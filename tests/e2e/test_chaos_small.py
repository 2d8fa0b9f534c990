"""A small seeded chaos run (``chaos/``, the harness of ``make chaos``): 30 flows over the real
processes while RabbitMQ and PostgreSQL restart, every API and worker is SIGKILLed once and the
sandbox fails, rate-limits, answers late and repeats or reorders callbacks. Nothing may be lost,
paid twice or mismatched, and both servers must be up afterwards for the tests that follow.

It starts its own stack (not the session's), on its own ports, databases and broker namespace.
"""

from __future__ import annotations

import asyncio
import time

import aio_pika
import asyncpg
from aiormq.exceptions import AMQPConnectionError

from chaos.run import Options, run
from shared.db.engine import connect_raw
from tests.conftest import database_url

SEED = 20261122


async def test_a_small_chaos_run_loses_nothing_and_pays_nothing_twice(amqp_url: str) -> None:
    outcome = await run(Options(flows=30, seed=SEED, concurrency=6, deadline_s=200,
                                quiesce_s=60, kills_each=1, mq_restarts=1, sandbox_each=1))

    summary = outcome.summary(SEED)
    findings = [f"{f.kind} {f.subject}: {f.detail}" for f in outcome.audit.findings]
    assert (summary["double_paid"], summary["lost"], summary["mismatched"]) == (0, 0, 0), findings
    assert summary["flows"] == 30
    assert outcome.pending.quiet, outcome.pending
    # Every fault of the plan happened (6 kills, 2 restarts, 5 sandbox faults, 1 gateway fault).
    assert summary["faults_injected"] == 14, outcome.injected
    assert not [k for k in outcome.injected if "failed to apply" in k], outcome.injected
    assert outcome.unexpected_exits == []
    # Most flows got through the faults, and what they asked for was paid.
    approved = outcome.audit.counts["approved"]
    assert approved >= 18, [r.error for r in outcome.records if r.error]
    assert summary["paid"] >= approved
    assert all(p["reason"] != "unknown" for p in outcome.audit.parked), outcome.audit.parked


async def test_rabbitmq_and_postgresql_are_up_after_the_chaos_run(amqp_url: str) -> None:
    # The run waits for its own restarts; the patience is for a server still finishing its
    # start-up checks when this test begins.
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = await aio_pika.connect(amqp_url, timeout=10)
            await connection.close()
            conn = await connect_raw(database_url("claims"), database="postgres")
            try:
                assert await conn.fetchval("SELECT 1") == 1
            finally:
                await conn.close()
            return
        except (OSError, AMQPConnectionError, asyncpg.PostgresError):
            assert time.monotonic() < deadline, "RabbitMQ or PostgreSQL is not back up"
            await asyncio.sleep(1)
