"""``make chaos``: the real stack, N seeded flows, seeded faults, then an audit of the money.

    python -m chaos.run --flows 300 --seed 7

Starts a private stack (free ports, its own databases and broker namespace: ``tests/e2e/stack.py``,
the commands of ``make run``), drives claim credits (Concourse, check), BYOP (Concourse to the
customer, Zelle to the pro) and billing portal payments while it restarts RabbitMQ and
PostgreSQL, SIGKILLs and restarts every API and worker, and turns sandbox faults on and off.
Then it waits for quiescence, audits, prints a table and one JSON line, and stops everything it
started (also on Ctrl-C). Exit 1 if anything was lost, paid twice or does not match.
Loopback only. Restarting PostgreSQL and RabbitMQ disturbs anything else using them meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika

from chaos.audit import Audit, audit
from chaos.faults import FaultPlan, Injector, ensure_postgres_up
from chaos.flows import FlowContext, FlowRecord, run_flow
from chaos.quiesce import Pending, quiesce
from chaos.report import render
from chaos.stack import ChaosStack
from scripts.demo import Urls
from shared.db.engine import drop_database
from shared.messaging.topology import delete_topology
from shared.settings import PlatformSettings
from tests.e2e.stack import Stack, stack_env

AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PG = os.environ.get("CHAOS_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
log = logging.getLogger("chaos")
LOCK_PATH = Path("/tmp/warranty-chaos.lock")  # noqa: S108 - a machine-wide lock on purpose


@dataclass(frozen=True)
class Options:
    flows: int
    seed: int
    concurrency: int = 6
    deadline_s: float = 1500  # the whole run, start to audit
    quiesce_s: float = 180
    kills_each: int = 3
    mq_restarts: int = 2
    sandbox_each: int = 3


@dataclass
class Outcome:
    records: list[FlowRecord]
    audit: Audit
    pending: Pending
    injected: dict[str, int]
    unexpected_exits: list[str]
    elapsed_s: float

    def summary(self, seed: int) -> dict[str, Any]:
        return {"flows": len(self.records), "paid": self.audit.counts.get("paid", 0),
                "double_paid": self.audit.total("double_paid"),
                "lost": self.audit.total("lost"), "mismatched": self.audit.total("mismatched"),
                "faults_injected": sum(self.injected.values()), "seed": seed}


async def drive(opts: Options, ctx: FlowContext, plan: FaultPlan, injector: Injector,
                deadline: float) -> list[FlowRecord]:
    """Flows in index order, ``concurrency`` at a time; each fault starts with its flow."""
    records: list[FlowRecord] = []
    slots = asyncio.Semaphore(opts.concurrency)

    async def one(index: int) -> None:
        try:
            records.append(await run_flow(ctx, index, deadline))
        finally:
            slots.release()

    tasks = []
    for index in range(opts.flows):
        await slots.acquire()
        for fault in plan.at(index):
            injector.queue.put_nowait(fault)
        injector.revive_crashed()
        tasks.append(asyncio.create_task(one(index)))
    await asyncio.gather(*tasks)
    return sorted(records, key=lambda r: r.index)


async def execute(opts: Options, stack: Stack, dbs: dict[str, str], namespace: str) -> Outcome:
    started = time.monotonic()
    deadline = started + opts.deadline_s
    urls = Urls(claims=stack.url("claims"), payouts=stack.url("payouts"),
                sandbox=stack.url("sandbox"), billing=stack.url("billing"))
    plan = FaultPlan.build(opts.seed, opts.flows, kills_each=opts.kills_each,
                           mq_restarts=opts.mq_restarts, sandbox_each=opts.sandbox_each)
    injector = Injector(stack, urls.sandbox)
    faults = asyncio.create_task(injector.worker())
    try:
        flows_deadline = deadline - opts.quiesce_s - 60
        records = await drive(opts, FlowContext(urls, PlatformSettings(), opts.seed), plan,
                              injector, flows_deadline)
        await asyncio.wait_for(injector.queue.join(), max(1.0, flows_deadline - time.monotonic()))
    finally:
        faults.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await faults
        await asyncio.to_thread(injector.ensure_rabbitmq)
        await ensure_postgres_up()
        await injector.clear_sandbox_faults()
    injector.revive_crashed()
    mq = await aio_pika.connect_robust(AMQP_URL)
    async with mq:
        quiet_for = max(30.0, min(opts.quiesce_s, deadline - time.monotonic()))
        state = await quiesce(dbs, mq, namespace, urls.sandbox, quiet_for)
        result = await audit(dbs, urls.sandbox, mq, namespace, records)
    return Outcome(records, result, state, dict(injector.injected), injector.unexpected_exits,
                   time.monotonic() - started)


@contextlib.asynccontextmanager
async def machine_lock(wait_s: float) -> AsyncIterator[None]:
    """One chaos run per machine at a time: two would restart PostgreSQL and RabbitMQ under
    each other's feet (e.g. ``make chaos`` while ``make test`` runs the small one)."""
    handle = os.open(LOCK_PATH, os.O_CREAT | os.O_RDWR, 0o666)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another chaos run holds {LOCK_PATH}") from None
                await asyncio.sleep(1)
        yield  # the lock goes with the descriptor, also if this process is killed
    finally:
        os.close(handle)


async def run(opts: Options) -> Outcome:
    """Start a private stack, run, and always stop and delete everything it started."""
    async with machine_lock(wait_s=opts.deadline_s):
        return await _run_locked(opts)


async def _run_locked(opts: Options) -> Outcome:
    run_id = f"c{uuid.uuid4().hex[:6]}"
    dbs = {s: f"{PG}/{s}_{run_id}" for s in ("claims", "payouts", "billing")}
    env, ports = stack_env(run_id, AMQP_URL, dbs)
    env.update({"LOG_LEVEL": "WARNING"})
    stack = ChaosStack(env, ports)
    try:
        stack.migrate()
        stack.start_all()
        return await execute(opts, stack, dbs, env["MQ_NAMESPACE"])
    finally:
        await asyncio.to_thread(stack.stop_all)
        await _cleanup(env["MQ_NAMESPACE"], dbs)


async def _cleanup(namespace: str, dbs: dict[str, str]) -> None:
    with contextlib.suppress(Exception):
        connection = await aio_pika.connect_robust(AMQP_URL, timeout=30)
        async with connection:
            await delete_topology(await connection.channel(), namespace, retry_levels=2)
    for url in dbs.values():
        with contextlib.suppress(Exception):
            await drop_database(url)


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--deadline-s", type=float, default=1500,
                        help="the whole run is bounded by this")
    parser.add_argument("--quiesce-s", type=float, default=180)
    parser.add_argument("--kills-each", type=int, default=3, help="SIGKILLs of each API/worker")
    parser.add_argument("--mq-restarts", type=int, default=2)
    parser.add_argument("--sandbox-each", type=int, default=3, help="times each sandbox fault")
    args = parser.parse_args(argv)
    return Options(flows=args.flows, seed=args.seed, concurrency=args.concurrency,
                   deadline_s=args.deadline_s, quiesce_s=args.quiesce_s,
                   kills_each=args.kills_each, mq_restarts=args.mq_restarts,
                   sandbox_each=args.sandbox_each)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    opts = parse(argv)
    print(f"chaos: {opts.flows} flows, seed {opts.seed} (rerun: python -m chaos.run "
          f"--flows {opts.flows} --seed {opts.seed})", file=sys.stderr)
    try:
        outcome = asyncio.run(run(opts))
    except KeyboardInterrupt:
        print("chaos: interrupted; everything it started was stopped", file=sys.stderr)
        return 130
    print(render(outcome.records, outcome.audit, outcome.pending, outcome.injected,
                 outcome.unexpected_exits, outcome.elapsed_s))
    summary = outcome.summary(opts.seed)
    print(json.dumps(summary))
    bad = summary["double_paid"] or summary["lost"] or summary["mismatched"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
