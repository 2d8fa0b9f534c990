"""``make bench``: start a private stack, measure, write ``bench/results/``, print one JSON line.

Loopback only, bounded in time (a few minutes), and the stack it starts is stopped at the end.
Figures are reported, never asserted: ``make test`` checks correctness.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench import ceilings, cost, flows, segments
from bench.billing import portal_payments
from bench.load import LoadClient, expect
from bench.procstats import ProcessSampler, cpu_per, cpu_seconds
from bench.report import write_chart
from harness.servers import PrivateRabbit, rabbit_node
from shared.db.engine import drop_database
from tests.e2e.stack import Stack, broker_env, stack_env
from warranty_client.http import Urls

RESULTS = Path(__file__).resolve().parent / "results"
PG = os.environ.get("BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")


def summary(outcome: flows.Outcome) -> dict[str, Any]:
    return {
        "offered": outcome.offered, "flows": outcome.flows, "paid": outcome.paid,
        "approval_retries": outcome.approval_retries,
        "flows_per_s": round(outcome.per_s, 1),
        "p50_ms": round(flows.percentile(outcome.latencies_ms, 50), 1),
        "p95_ms": round(flows.percentile(outcome.latencies_ms, 95), 1),
        "p99_ms": round(flows.percentile(outcome.latencies_ms, 99), 1),
        "accepted_p50_ms": round(flows.percentile(outcome.accepted_ms, 50), 1),
        "accepted_p99_ms": round(flows.percentile(outcome.accepted_ms, 99), 1),
        "by_kind": {kind: {"paid": len(ms), "p50_ms": round(flows.percentile(ms, 50), 1),
                           "p99_ms": round(flows.percentile(ms, 99), 1)}
                    for kind, ms in sorted(outcome.by_kind_ms.items())},
    }


def open_loop_cost(before: dict[str, float], after: dict[str, float],
                   outcome: flows.Outcome) -> dict[str, Any]:
    """What the machine spent per paid claim at this rate, and how busy its cores were: below
    saturation a paid claim is batched less (relays, dispatcher) and costs more than in the
    closed loop. Read from the approvals' start to the last Paid (the collector's polls and
    the idle timers included)."""
    per_claim = cpu_per(before, after, outcome.paid)
    busy = (after["machine"] - before["machine"]) / (outcome.elapsed_s * (os.cpu_count() or 1))
    return {"cpu_ms_per_paid_claim": per_claim, "machine_busy": round(busy, 2)}


async def reads(http: LoadClient, urls: Urls, flow: flows.Flow, seconds: float = 5,
                concurrency: int = 32) -> dict[str, Any]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    url = f"{urls.claims}/v1/claims/{flow.claim_id}"

    async def reader() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            expect(await http.get(url, headers=flow.support), 200, f"GET {url}")
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(reader() for _ in range(concurrency)))
    return {"reads_per_s": round(len(latencies) / seconds, 1),
            "p99_ms": round(flows.percentile(latencies, 99), 1)}


async def measure(args: argparse.Namespace, stack: Stack, dbs: dict[str, str]) -> dict[str, Any]:
    urls = Urls(claims=stack.url("claims"), payouts=stack.url("payouts"),
                sandbox=stack.url("sandbox"), billing=stack.url("billing"))
    result: dict[str, Any] = {"closed_loop": [], "open_loop": []}
    sampler = ProcessSampler(stack.pids())
    sampling = asyncio.create_task(sampler.run())
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    # httpx for the set-up (the demo scripts' flows), the load client for what is measured.
    async with httpx.AsyncClient(timeout=30, limits=limits) as http, LoadClient() as load:
        for concurrency in args.concurrency:
            prepared = await flows.prepare(http, urls, args.closed_flows)
            before = await cost.snapshot(dbs)
            outcome = await flows.closed_loop(load, urls, prepared, concurrency, dbs)
            after = await cost.snapshot(dbs)
            row = summary(outcome) | cost.per_claim(before, after, outcome.paid,
                                                     outcome.bench_queries)
            result["closed_loop"].append(row)
            print(f"closed loop: {row}", file=sys.stderr)
        for rate in args.rates:
            prepared = await flows.prepare(http, urls, int(rate * args.open_seconds))
            before_cpu = cpu_seconds(stack.pids())
            outcome = await flows.open_loop(load, urls, prepared, rate, dbs)
            row = summary(outcome) | open_loop_cost(before_cpu, cpu_seconds(stack.pids()), outcome)
            print(f"open loop: {row}", file=sys.stderr)
            row["segments"] = await segments.latency_segments(prepared, dbs)
            print("  where the time goes (p50 / p99 ms): " + ", ".join(
                f"{name} {seg.get('p50_ms')} / {seg.get('p99_ms')}"
                for name, seg in row["segments"].items()), file=sys.stderr)
            result["open_loop"].append(row)
        result["reads"] = {"claim": await reads(load, urls, prepared[0])}
    if args.payment_seconds > 0:
        result["portal"] = await portal_payments(
            urls.billing, urls.sandbox + "/gateway/v1", accounts=args.payers,
            seconds=args.payment_seconds)
        print(f"portal payments: {result['portal']}", file=sys.stderr)
        result["payments_per_s"] = result["portal"]["payments_per_s"]
        result["reads"]["balance"] = {
            "reads_per_s": result["portal"]["balance_reads_per_s"],
            "p99_ms": result["portal"]["balance_p99_ms"], "during": "portal payments"}
    sampler.stop()
    await sampling
    result["processes"] = sampler.report()
    return result


def sandbox_database(run_id: str) -> str:
    return f"{PG}/sandbox_{run_id}"


def bench_env(run_id: str, dbs: dict[str, str], node: PrivateRabbit
              ) -> tuple[dict[str, str], dict[str, int]]:
    env, ports = stack_env(run_id, broker_env(node), dbs, sandbox_db=sandbox_database(run_id))
    # Providers answer at once: no settle delay, and the sandbox applies due steps every 5 ms
    # (its floor) instead of 50, so a provider's timer is not what the latency figures show.
    env.update({"SANDBOX_SETTLE_DELAY_MS": "0", "SANDBOX_TICK_MS": "5", "LOG_LEVEL": "WARNING",
                "PAYOUTS_SUBMIT_LEASE_S": "30", "PAYOUTS_POLL_INTERVAL_S": "5"})
    return env, ports


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """On a RabbitMQ node of the run's own (same Debian binary as the machine's; the stack
    provisions its accounts there, never on the machine's broker)."""
    node = rabbit_node("bench-mq-")
    node.start()
    try:
        return await _measure_on(args, node)
    finally:
        node.close()


async def _measure_on(args: argparse.Namespace, node: PrivateRabbit) -> dict[str, Any]:
    run_id = f"b{uuid.uuid4().hex[:6]}"
    dbs = {s: f"{PG}/{s}_{run_id}" for s in ("claims", "payouts", "billing")}
    env, ports = bench_env(run_id, dbs, node)
    server = f"{PG}/postgres".replace("postgresql+asyncpg://", "postgresql://")
    figures: dict[str, Any] = {
        "mq_ceiling_msgs_per_s": round(await ceilings.rabbitmq_ceiling(node.admin_url()), 1),
        "pg_ceiling_tx_per_s": round(await ceilings.postgres_ceiling(server), 1),
        "latency_floors": {"pg_commit": await ceilings.commit_latency(server),
                           "mq_confirm": await ceilings.confirm_latency(node.admin_url())},
    }
    print(f"ceilings: {figures}", file=sys.stderr)
    stack = Stack(env, ports, log_dir=RESULTS.parent.parent / ".run" / "bench")
    try:
        stack.migrate()
        stack.start_all()
        figures.update(await measure(args, stack, dbs))
    finally:
        stack.stop_all()
        await drop_databases({**dbs, "sandbox": sandbox_database(run_id)})
    return figures


async def drop_databases(dbs: dict[str, str]) -> None:
    for url in dbs.values():
        await drop_database(url)


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    best = max(figures["closed_loop"], key=lambda r: r["flows_per_s"])
    at_rate = next((r for r in figures["open_loop"] if r["offered"] == "50/s"),
                   figures["open_loop"][-1])
    return {
        "flows_per_s": best["flows_per_s"],
        "flow_p50_ms": at_rate["p50_ms"], "flow_p99_ms": at_rate["p99_ms"],
        "flow_rate_for_latency": float(at_rate["offered"].removesuffix("/s")),
        "machine_busy_at_that_rate": at_rate.get("machine_busy"),
        "payments_per_s": figures.get("payments_per_s"),
        "payment_p99_ms": figures.get("portal", {}).get("payment_p99_ms"),
        "claim_read_p99_ms": figures["reads"]["claim"]["p99_ms"],
        "balance_read_p99_ms": figures["reads"].get("balance", {}).get("p99_ms"),
        "messages_per_paid_claim": best.get("messages_per_paid_claim"),
        "db_tx_per_paid_claim": best.get("db_tx_per_paid_claim"),
        "mq_ceiling_msgs_per_s": figures["mq_ceiling_msgs_per_s"],
        "pg_ceiling_tx_per_s": figures["pg_ceiling_tx_per_s"],
        "pg_commit_p99_ms": figures["latency_floors"]["pg_commit"]["p99_ms"],
        "mq_confirm_p99_ms": figures["latency_floors"]["mq_confirm"]["p99_ms"],
        "max_rss_mb": max(p["peak_rss_mb"] for p in figures["processes"].values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--closed-flows", type=int, default=200)
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 20, 30, 50])
    parser.add_argument("--open-seconds", type=float, default=6)
    parser.add_argument("--payment-seconds", type=float, default=8,
                        help="portal payments phase (0: skip it)")
    parser.add_argument("--payers", type=int, default=32, help="accounts paying at once")
    args = parser.parse_args()
    figures = asyncio.run(main_async(args))
    line = headline(figures)
    figures["headline"] = line
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(figures, indent=2))
    (RESULTS / "latest.json").write_text(json.dumps(figures, indent=2))
    write_chart(figures, RESULTS / "latest.png")
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
