"""CPU seconds and peak resident memory of each process of the stack during the run.

A stack process may be a supervisor with worker processes (an API with ``<SERVICE>_API_WORKERS``
above 1): its CPU is the sum over them all, its peak memory the largest of any one of them (the
limit is per process)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import psutil


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
