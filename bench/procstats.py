"""CPU seconds and peak resident memory of each process of the stack during the run."""

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
    def _cpu(proc: psutil.Process) -> float:
        times = proc.cpu_times()
        return float(times.user + times.system)

    async def run(self) -> None:
        while not self._stopped.is_set():
            for name, proc in self._procs.items():
                try:
                    self._peak[name] = max(self._peak[name], proc.memory_info().rss)
                except psutil.Error:
                    continue
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
