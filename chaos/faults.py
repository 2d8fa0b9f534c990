"""The faults of a chaos run: a seeded plan of what happens before which flow, and the hands
that do it to the real processes, the broker, the database and the provider sandbox.

The broker and the database are the run's own (``harness.servers``): they are restarted
cleanly and also SIGKILLed (a crash: the next start replays PostgreSQL's WAL and the quorum
queues' logs). The machine's servers are never touched. Faults run one at a time (a second
restart while the first is still coming up would only test the harness). Blocking work
(server and process restarts) runs in a thread so the flows keep going meanwhile, as real
traffic would.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from chaos.progress import Progress
from harness.servers import PrivatePostgres, PrivateRabbit
from tests.e2e.stack import Stack

log = logging.getLogger("chaos")

# The provider sandbox too: like a bank it keeps its ledger in its own database, so a crash of
# it loses callbacks in flight (payouts asks the status) but never a payment.
KILLABLE = ("claims-api", "claims-worker", "payouts-api", "payouts-worker", "billing-api",
            "billing-worker", "sandbox")
SANDBOX_FAULTS: dict[str, dict[str, Any]] = {
    "sandbox_5xx": {"fail_next": 3},
    "sandbox_429": {"rate_limit_next": 3},
    # Longer than the payouts provider timeout (10 s): recorded, then answered too late, while
    # the provider can say nothing else about it (no callback, status queries refused), so the
    # payout's outcome is unknown until a status query after the fault settles it. Counted (the
    # next payment the provider records): it stays on until a payout in flight meets it, and
    # the run proves the unknown path, not only arms it.
    "sandbox_timeout": {"respond_delay_ms": 11_000, "respond_delay_next": 1,
                        "drop_callbacks": True, "fail_status_next": 10_000},
    "sandbox_duplicate_callbacks": {"duplicate_callbacks": True},
    "sandbox_reorder_callbacks": {"reorder_callbacks": True},
}


@dataclass(frozen=True)
class Fault:
    kind: str  # kill | {rabbitmq,postgres}_{restart,kill} | sandbox_* | gateway_5xx
    target: str = ""
    hold_s: float = 0.0  # how long the fault lasts (process down, fault active)


@dataclass(frozen=True)
class FaultPlan:
    """(flow index, fault): the fault starts as that flow starts."""

    schedule: tuple[tuple[int, Fault], ...]

    @classmethod
    def build(cls, seed: int, flows: int, *, kills_each: int, mq_restarts: int,
              sandbox_each: int, pg_restarts: int = 1) -> FaultPlan:
        """``mq_restarts`` and ``pg_restarts`` each: one clean restart and one crash."""
        rng = random.Random(f"{seed}:faults")  # noqa: S311 - reproducible, not secret
        faults: list[Fault] = []
        for target in KILLABLE:
            faults += [Fault("kill", target, rng.uniform(0.2, 2.0)) for _ in range(kills_each)]
        for _ in range(mq_restarts):
            faults += [Fault("rabbitmq_restart", "", rng.uniform(1, 4)),
                       Fault("rabbitmq_kill", "", rng.uniform(1, 4))]
        for _ in range(pg_restarts):
            faults += [Fault("postgres_restart"), Fault("postgres_kill", "", rng.uniform(0.5, 3))]
        for kind in SANDBOX_FAULTS:
            faults += [Fault(kind, "", rng.uniform(2, 6)) for _ in range(sandbox_each)]
        faults += [Fault("gateway_5xx", "", 0) for _ in range(sandbox_each)]
        # Spread over the first 90% of the flows so the last faults still meet traffic.
        last = max(1, int(flows * 0.9))
        return cls(tuple(sorted(((rng.randrange(1, last), f) for f in faults),
                                key=lambda item: item[0])))

    def at(self, index: int) -> list[Fault]:
        return [fault for at, fault in self.schedule if at == index]


@dataclass
class Injector:
    stack: Stack
    sandbox_url: str
    postgres: PrivatePostgres
    rabbit: PrivateRabbit
    progress: Progress
    injected: Counter[str] = field(default_factory=Counter)
    unexpected_exits: list[str] = field(default_factory=list)
    queue: asyncio.Queue[Fault] = field(default_factory=asyncio.Queue)
    # Set while no fault waits in the queue (each one due has begun).
    begun: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.begun.set()

    def due(self, faults: list[Fault]) -> None:
        for fault in faults:
            self.queue.put_nowait(fault)
            self.begun.clear()

    async def worker(self) -> None:
        while True:
            fault = await self.queue.get()
            if self.queue.empty():
                self.begun.set()
            try:
                await self.inject(fault)
            except Exception as exc:  # a fault that could not be applied is reported, not fatal
                log.warning("fault %s %s not applied: %s", fault.kind, fault.target, exc)
                self.injected[f"{fault.kind} (failed to apply)"] += 1
            finally:
                self.queue.task_done()

    async def inject(self, fault: Fault) -> None:
        started = time.monotonic()
        if fault.kind == "kill":
            await asyncio.to_thread(self._kill_restart, fault.target, fault.hold_s)
        elif fault.kind.startswith(("rabbitmq_", "postgres_")):
            await asyncio.to_thread(self._server_down, fault)
        elif fault.kind == "gateway_5xx":
            await self._put("/gateway/v1/sandbox/faults", {"fail_next": 2})
        else:
            await self._put("/sandbox/faults", SANDBOX_FAULTS[fault.kind])
            await asyncio.sleep(fault.hold_s)
            await self._until_consumed(fault.kind)
            # A delayed answer still on its way must meet the fault, not the cleared sandbox.
            await asyncio.sleep(SANDBOX_FAULTS[fault.kind].get("respond_delay_ms", 0) / 1000)
            await self.clear_sandbox_faults()
        self.injected[fault.kind if fault.kind != "kill" else f"kill {fault.target}"] += 1
        self.progress.moved()
        log.info("fault %s %s done in %.1f s", fault.kind, fault.target,
                 time.monotonic() - started)

    async def _until_consumed(self, kind: str, patience_s: float = 60) -> None:
        """A counted fault (the next N calls) stays on until N calls met it, within reason:
        faults_injected counts faults that happened, not faults that were merely armed."""
        deadline = time.monotonic() + patience_s
        async with httpx.AsyncClient(timeout=10) as http:
            while time.monotonic() < deadline:
                active = (await http.get(self.sandbox_url + "/sandbox/faults")).json()
                if not any(active.get(k) for k in ("fail_next", "rate_limit_next",
                                                   "respond_delay_next")):
                    return
                await asyncio.sleep(0.5)
        log.warning("fault %s: not every armed failure met a call", kind)

    async def _put(self, path: str, body: dict[str, Any]) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            (await http.put(self.sandbox_url + path, json=body)).raise_for_status()

    async def clear_sandbox_faults(self) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            (await http.delete(self.sandbox_url + "/sandbox/faults")).raise_for_status()
            (await http.put(self.sandbox_url + "/gateway/v1/sandbox/faults",
                            json={"fail_next": 0})).raise_for_status()

    def _kill_restart(self, name: str, down_s: float) -> None:
        self.stack.kill(name)  # SIGKILL: no cleanup, no goodbye
        time.sleep(down_s)
        self.stack.start(name)
        if name.endswith("-api") or name == "sandbox":
            self.stack.wait_ready(name.removesuffix("-api"))

    def _server_down(self, fault: Fault) -> None:
        """Restart (clean shutdown) or kill (SIGKILL) the run's broker or database, keep it
        down for the fault's hold, start it again and wait until it accepts connections."""
        server = self.rabbit if fault.kind.startswith("rabbitmq_") else self.postgres
        if fault.kind.endswith("_kill"):
            server.kill()
        else:
            server.stop()
        time.sleep(fault.hold_s)
        server.start()

    def ensure_servers(self) -> None:
        """Both servers up again (a fault interrupted half way leaves one down)."""
        self.postgres.start()
        self.rabbit.start()

    def revive_crashed(self) -> None:
        """Restart a process that died on its own (a bug to report, not a fault we caused)."""
        for name, proc in list(self.stack.procs.items()):
            if proc.poll() is not None:
                self.unexpected_exits.append(f"{name} exited with {proc.returncode}")
                log.warning("%s exited on its own (%s): restarting", name, proc.returncode)
                self.stack.procs.pop(name, None)
                self.stack.start(name)
