"""``make chaos``: the real stack, N seeded flows, seeded faults, then an audit of the money.

    python -m chaos.run --flows 300 --seed 7

Starts its own PostgreSQL cluster and RabbitMQ node (``harness.servers``: temporary folders,
free ports) and a private stack on them (``tests/e2e/stack.py``, the commands of ``make run``),
drives claim credits (Concourse, check), BYOP (Concourse to the customer, Zelle to the pro) and
billing portal payments while it restarts and SIGKILLs that PostgreSQL and that RabbitMQ,
SIGKILLs and restarts every API and worker, and turns sandbox faults on and off. Then it waits
for quiescence, audits, prints a table and one JSON line, and stops and deletes everything it
started (also on Ctrl-C). Exit 1 if anything was lost, paid twice or does not match.
Loopback only; the machine's own PostgreSQL and RabbitMQ are never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aio_pika

from chaos.audit import Audit, audit
from chaos.faults import FaultPlan, Injector
from chaos.flows import FlowContext, FlowRecord, run_flow
from chaos.progress import Progress
from chaos.quiesce import Pending, quiesce
from chaos.report import render
from harness.servers import PrivatePostgres, PrivateRabbit, postgres_cluster, rabbit_node
from shared.db.engine import drop_database
from shared.settings import PlatformSettings
from tests.e2e.stack import REPO, VHOST, Stack, broker_env, stack_env
from warranty_client.http import Urls

log = logging.getLogger("chaos")
LOG_DIR = REPO / ".run" / "chaos"
# The bank's database is not ours: the run kills its own PostgreSQL, not the provider's, so the
# sandbox keeps its ledger on another server (the machine's; the run only creates and drops its
# own database there).
BANK_PG = os.environ.get("CHAOS_SANDBOX_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


@dataclass(frozen=True)
class Options:
    flows: int
    seed: int
    concurrency: int = 6
    stall_s: float = 120  # clients give up when nothing moved for this long
    quiesce_s: float = 180  # after the flows: give up when what is left stopped changing
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


async def drive(opts: Options, ctx: FlowContext, plan: FaultPlan,
                injector: Injector) -> list[FlowRecord]:
    """Flows in index order, ``concurrency`` at a time; each fault is due with its flow, and
    the flows wait until the faults before it have begun, so every fault meets the flows that
    start after it (faults run one at a time, and a run whose server restarts outlast the
    traffic would otherwise end with faults on an idle stack, proving nothing)."""
    records: list[FlowRecord] = []
    slots = asyncio.Semaphore(opts.concurrency)

    async def one(index: int) -> None:
        try:
            records.append(await run_flow(ctx, index))
        finally:
            slots.release()

    tasks = []
    for index in range(opts.flows):
        due = plan.at(index)
        if due:
            await injector.begun.wait()  # the flows in flight keep going meanwhile
        await slots.acquire()
        injector.due(due)
        injector.revive_crashed()
        tasks.append(asyncio.create_task(one(index)))
    await asyncio.gather(*tasks)
    return sorted(records, key=lambda r: r.index)


async def execute(opts: Options, stack: Stack, servers: tuple[PrivatePostgres, PrivateRabbit],
                  dbs: dict[str, str], namespace: str) -> Outcome:
    started = time.monotonic()
    urls = Urls(claims=stack.url("claims"), payouts=stack.url("payouts"),
                sandbox=stack.url("sandbox"), billing=stack.url("billing"))
    plan = FaultPlan.build(opts.seed, opts.flows, kills_each=opts.kills_each,
                           mq_restarts=opts.mq_restarts, sandbox_each=opts.sandbox_each)
    progress = Progress(opts.stall_s)
    postgres, rabbit = servers
    injector = Injector(stack, urls.sandbox, postgres, rabbit, progress)
    faults = asyncio.create_task(injector.worker())
    try:
        records = await drive(opts, FlowContext(urls, PlatformSettings(), opts.seed, progress),
                              plan, injector)
        await injector.queue.join()  # every fault finishes (each waits for its server)
    finally:
        faults.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await faults
        await asyncio.to_thread(injector.ensure_servers)
        await injector.clear_sandbox_faults()
    injector.revive_crashed()
    mq = await aio_pika.connect_robust(rabbit.admin_url(VHOST))
    async with mq:
        state = await quiesce(dbs, mq, namespace, urls.sandbox, opts.quiesce_s)
        result = await audit(dbs, urls.sandbox, mq, namespace, records)
    return Outcome(records, result, state, dict(injector.injected), injector.unexpected_exits,
                   time.monotonic() - started)


async def run(opts: Options) -> Outcome:
    """Start the run's own servers and stack, run, and always stop and delete all of it."""
    postgres, rabbit = postgres_cluster("chaos-pg-"), rabbit_node("chaos-mq-")
    try:
        await asyncio.gather(asyncio.to_thread(postgres.start), asyncio.to_thread(rabbit.start))
        return await _run_on(opts, postgres, rabbit)
    finally:
        await asyncio.gather(asyncio.to_thread(postgres.close), asyncio.to_thread(rabbit.close))


async def _run_on(opts: Options, postgres: PrivatePostgres, rabbit: PrivateRabbit) -> Outcome:
    run_id = f"c{uuid.uuid4().hex[:6]}"
    dbs = {s: postgres.url(f"{s}_{run_id}") for s in ("claims", "payouts", "billing")}
    sandbox_db = f"{BANK_PG}/sandbox_{run_id}"
    env, ports = stack_env(run_id, broker_env(rabbit), dbs, sandbox_db=sandbox_db)
    env.update({"LOG_LEVEL": "WARNING"})
    stack = Stack(env, ports, log_dir=LOG_DIR)
    try:
        stack.migrate()
        # The queues exist long before any fault in production; a node killed within seconds
        # of declaring a quorum queue can lose its registration (RabbitMQ 3.10 writes it
        # lazily), which is not the crash this run is about. A clean restart settles them.
        await asyncio.to_thread(rabbit.restart)
        stack.start_all()
        return await execute(opts, stack, (postgres, rabbit), dbs, env["MQ_NAMESPACE"])
    finally:
        await asyncio.to_thread(stack.stop_all)
        await drop_database(sandbox_db)


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--concurrency", type=int, default=6)
    parser.add_argument("--stall-s", type=float, default=120,
                        help="clients give up when nothing moved for this long")
    parser.add_argument("--quiesce-s", type=float, default=180,
                        help="after the flows, give up when what is left stopped changing")
    parser.add_argument("--kills-each", type=int, default=3, help="SIGKILLs of each API/worker")
    parser.add_argument("--mq-restarts", type=int, default=2)
    parser.add_argument("--sandbox-each", type=int, default=3, help="times each sandbox fault")
    args = parser.parse_args(argv)
    return Options(flows=args.flows, seed=args.seed, concurrency=args.concurrency,
                   stall_s=args.stall_s, quiesce_s=args.quiesce_s,
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
