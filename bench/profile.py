"""``make profile``: where does a paid claim's CPU go? py-spy samples every process of a private
stack while claims are approved in a closed loop, and this prints each process's busiest frames.

    make profile    # = .venv/bin/python -m bench.profile --flows 300 --concurrency 32
    .venv/bin/python -m bench.profile --seconds 0    # CPU ms per paid claim only (no py-spy)
    .venv/bin/python -m bench.profile --payments --seconds 0    # CPU ms per portal payment
    .venv/bin/python -m bench.profile --open-rate 30 --flows 600    # at a fixed rate instead

``--payments`` runs the portal payments phase of ``make bench`` (``bench/billing.py``: one payer
per account, balance reads alongside) instead of the claims: the CPU is divided by the payments
that succeeded, so each process's figure includes its share of the balance reads.

Raw collapsed stacks land in ``bench/results/profiles/<stamp>/<process>.txt`` (open them with
any flame-graph viewer, e.g. speedscope); the summary is printed and written beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from bench import flows
from bench.billing import portal_payments
from bench.load import LoadClient
from bench.procstats import cpu_per, cpu_seconds
from bench.run import PG, RESULTS, bench_env, drop_databases, sandbox_database
from harness.servers import rabbit_node
from tests.e2e.stack import Stack
from warranty_client.http import Urls


def cpu_report(before: dict[str, float], after: dict[str, float], paid: int,
               unit: str = "paid claim") -> str:
    lines = [f"## CPU ms per {unit} ({paid} {unit.split()[0]})"]
    lines += [f"  {ms:7.1f}  {name}" for name, ms in cpu_per(before, after, paid).items()]
    return "\n".join(lines)


def summarize(raw: Path, top: int) -> str:
    """Inclusive share of each frame (a frame counted once per sample) and the leaf frames."""
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        if frames:
            leaves[frames[-1]] += count
    lines = [f"## {raw.stem}: {total} samples"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("  leaves:")
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in leaves.most_common(top // 2)]
    return "\n".join(lines)


def spy_on(stack: Stack, args: argparse.Namespace, out: Path) -> list[subprocess.Popen[bytes]]:
    """One py-spy per process of the stack (and its subprocesses: an API may serve from several
    worker processes), for ``args.seconds`` (none when 0)."""
    if args.seconds <= 0:
        return []
    mode = [] if args.blocking else ["--nonblocking"]
    return [
        subprocess.Popen(  # noqa: S603 - our own py-spy on our own children
            [args.py_spy, "record", "-p", str(proc.pid), "--subprocesses", "-r", str(args.rate),
             *mode, "-f", "raw", "-o", str(out / f"{name}.txt"), "-d", str(args.seconds)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, proc in stack.procs.items()
    ]


async def drive(stack: Stack, dbs: dict[str, str], args: argparse.Namespace, out: Path) -> str:
    urls = Urls(claims=stack.url("claims"), payouts=stack.url("payouts"),
                sandbox=stack.url("sandbox"), billing=stack.url("billing"))
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http, LoadClient() as load:
        prepared = await flows.prepare(http, urls, args.flows)
        spies = spy_on(stack, args, out)
        await asyncio.sleep(1)  # py-spy attaches
        before = cpu_seconds(stack.pids())
        outcome = await (flows.open_loop(load, urls, prepared, args.open_rate, dbs)
                         if args.open_rate else
                         flows.closed_loop(load, urls, prepared, args.concurrency, dbs))
        after = cpu_seconds(stack.pids())
        print(f"{outcome.paid} paid, {outcome.per_s:.1f} flows/s", file=sys.stderr)
        for spy in spies:
            spy.wait()
    return cpu_report(before, after, outcome.paid)


async def drive_payments(stack: Stack, args: argparse.Namespace, out: Path) -> str:
    """The portal payments phase, with py-spy and the CPU figures around its timed part only
    (the accounts and their invoices are set up before)."""
    cpu: dict[str, dict[str, float]] = {}

    @asynccontextmanager
    async def measured() -> AsyncIterator[None]:
        spies = spy_on(stack, args, out)
        await asyncio.sleep(1)  # py-spy attaches
        cpu["before"] = cpu_seconds(stack.pids())
        yield
        cpu["after"] = cpu_seconds(stack.pids())
        for spy in spies:
            spy.wait()

    outcome = await portal_payments(
        stack.url("billing"), stack.url("sandbox") + "/gateway/v1", accounts=args.payers,
        seconds=args.payment_seconds, phase=measured)
    print(f"{outcome['payments']} payments, {outcome['payments_per_s']} payments/s, "
          f"balance reads {outcome['balance_reads_per_s']}/s, "
          f"allocation_ok={outcome['allocation_ok']} {outcome['allocation_errors']}",
          file=sys.stderr)
    report = cpu_report(cpu["before"], cpu["after"], outcome["payments"], "successful payment")
    return (f"{report}\n  payments/s {outcome['payments_per_s']}, p99 "
            f"{outcome['payment_p99_ms']} ms; balance reads/s {outcome['balance_reads_per_s']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--open-rate", type=float, default=0,
                        help="approve at this fixed rate per second (open loop) instead of a "
                             "closed loop: below saturation a paid claim is batched less")
    parser.add_argument("--seconds", type=int, default=20,
                        help="how long py-spy samples (0: CPU figures only)")
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--blocking", action="store_true",
                        help="pause each process to sample it (exact stacks, slower run)")
    parser.add_argument("--payments", action="store_true",
                        help="profile portal payments (bench/billing.py) instead of claims")
    parser.add_argument("--payment-seconds", type=float, default=8,
                        help="how long the payments phase runs (--payments)")
    parser.add_argument("--payers", type=int, default=32,
                        help="accounts paying at once (--payments)")
    args = parser.parse_args()
    args.py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out = RESULTS / "profiles" / time.strftime("%Y%m%dT%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    run_id = f"p{uuid.uuid4().hex[:6]}"
    dbs = {s: f"{PG}/{s}_{run_id}" for s in ("claims", "payouts", "billing")}
    node = rabbit_node("profile-mq-")  # the run's own broker, provisioned by the stack
    node.start()
    env, ports = bench_env(run_id, dbs, node)
    stack = Stack(env, ports, log_dir=RESULTS.parent.parent / ".run" / "profile")
    try:
        stack.migrate()
        stack.start_all()
        cpu = asyncio.run(drive_payments(stack, args, out) if args.payments
                          else drive(stack, dbs, args, out))
    finally:
        stack.stop_all()
        asyncio.run(drop_databases({**dbs, "sandbox": sandbox_database(run_id)}))
        node.close()
    profiles = [summarize(raw, args.top) for raw in sorted(out.glob("*.txt"))]
    report = "\n\n".join([cpu, *profiles])
    (out / "SUMMARY.md").write_text(report + "\n")
    print(report)
    print(f"\nraw stacks: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
