"""An API served by several processes (``<SERVICE>_API_WORKERS``, shared/serve.py): one port,
metrics summed over the processes, and no worker outliving its supervisor."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from harness.ports import free_port

REPO = Path(__file__).resolve().parents[3]
WORKERS = 2


def _wait_until(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"still not true after {seconds} s: {getattr(check, '__name__', check)}")


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def metrics_dir(tmp_path: Path) -> Path:
    path = tmp_path / "metrics"
    path.mkdir()
    # Left by an earlier run: must not be added to this run's counts (nor break them).
    (path / "counter_1.db").write_bytes(b"not a metrics file")
    return path


@pytest.fixture
def api(metrics_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = dict(os.environ, BILLING_PORT=str(port), BILLING_API_WORKERS=str(WORKERS),
               PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), LOG_LEVEL="WARNING",
               BILLING_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    proc = subprocess.Popen([sys.executable, "-m", "services.billing", "api"], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _answers(url))
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def _workers(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    return [child for child in psutil.Process(proc.pid).children()
            if "spawn_main" in " ".join(child.cmdline())]


def _healthz_count(exposition: str) -> float:
    return sum(float(row.rpartition(" ")[2]) for row in exposition.splitlines()
               if row.startswith("http_requests_total{") and 'route="/healthz"' in row)


def _count_of_worker(metrics_dir: Path, pid: int, tmp_path: Path) -> float:
    """One worker's own count: its file alone, read the way ``/metrics`` reads them all."""
    alone = tmp_path / f"worker-{pid}"
    alone.mkdir()
    shutil.copy(metrics_dir / f"counter_{pid}.db", alone)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
    return _healthz_count(generate_latest(registry).decode())


async def _hit(url: str, requests: int) -> None:
    async def one() -> None:
        # a client each: a new connection each, so both workers take them
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{url}/healthz", timeout=10)).status_code == 200

    await asyncio.gather(*(one() for _ in range(requests)))


def test_every_worker_serves_the_port_and_metrics_are_summed_over_them(
    api: tuple[str, subprocess.Popen[bytes]], metrics_dir: Path, tmp_path: Path,
) -> None:
    url, proc = api
    workers = _workers(proc)
    assert len(workers) == WORKERS
    before = _healthz_count(httpx.get(f"{url}/metrics", timeout=5).text)
    requests = 200
    asyncio.run(_hit(url, requests))
    total = _healthz_count(httpx.get(f"{url}/metrics", timeout=5).text)
    own = [_count_of_worker(metrics_dir, worker.pid, tmp_path) for worker in workers]
    assert all(count > 0 for count in own), own
    assert total == sum(own) == before + requests


def test_the_workers_end_with_their_supervisor_even_when_it_is_killed(
    api: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, proc = api
    workers = _workers(proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(workers, timeout=20)
    assert alive == [] and len(gone) == WORKERS
    assert not _answers(url)
