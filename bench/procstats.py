"""CPU seconds and peak resident memory of each process of the stack during the run.

A stack process may be a supervisor with worker processes (an API with ``<SERVICE>_API_WORKERS``
above 1): its CPU is the sum over them all, its peak memory the largest of any one of them (the
limit is per process)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psutil


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each stack process (with its children: an API may serve from
    several worker processes), of PostgreSQL and RabbitMQ, of this process (the bench client)
    and of the machine."""
    def used(proc: psutil.Process) -> float:
        times = proc.cpu_times()
        return float(times.user + times.system)

    def tree(pid: int) -> float:
        root = psutil.Process(pid)
        return sum(used(p) for p in (root, *root.children(recursive=True)))

    seconds = {name: tree(pid) for name, pid in pids.items()}
    for label, names in (("postgres", {"postgres"}), ("rabbitmq", {"beam.smp"})):
        seconds[label] = sum(used(p) for p in psutil.process_iter(["name"])
                             if p.info["name"] in names)
    seconds["bench client"] = used(psutil.Process())
    machine = psutil.cpu_times()
    seconds["machine"] = float(sum(machine) - machine.idle - machine.iowait)
    return seconds


def cpu_per(before: dict[str, float], after: dict[str, float], count: int) -> dict[str, float]:
    """CPU ms per unit of work (a paid claim) between two ``cpu_seconds`` readings."""
    return {name: round(1000 * (after[name] - before.get(name, 0.0)) / max(count, 1), 1)
            for name in after}


class ProcessSampler:
    def __init__(self, pids: dict[str, int], interval_s: float = 0.5) -> None:
        self._procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self._cpu0 = {name: self._cpu(p) for name, p in self._procs.items()}
        self._peak = dict.fromkeys(self._procs, 0)
        self._interval_s = interval_s
        self._stopped = asyncio.Event()

    @staticmethod
    def _tree(proc: psutil.Process) -> list[psutil.Process]:
        return [proc, *proc.children(recursive=True)]

    @classmethod
    def _cpu(cls, proc: psutil.Process) -> float:
        total = 0.0
        for member in cls._tree(proc):
            with contextlib.suppress(psutil.Error):
                times = member.cpu_times()
                total += times.user + times.system
        return total

    async def run(self) -> None:
        while not self._stopped.is_set():
            for name, proc in self._procs.items():
                try:
                    rss = max(member.memory_info().rss for member in self._tree(proc))
                except psutil.Error:
                    continue
                self._peak[name] = max(self._peak[name], rss)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), timeout=self._interval_s)

    def stop(self) -> None:
        self._stopped.set()

    def report(self) -> dict[str, Any]:
        out = {}
        for name, proc in self._procs.items():
            try:
                cpu = self._cpu(proc) - self._cpu0[name]
            except psutil.Error:
                cpu = float("nan")
            out[name] = {"cpu_s": round(cpu, 1), "peak_rss_mb": round(self._peak[name] / 2**20, 1)}
        return out
