"""Serving a service's API: one uvicorn process, or a supervisor and N worker processes
(``<SERVICE>_API_WORKERS``) sharing the port, for an API that one core cannot carry.

The workers are spawned, not forked, so each builds its own app, database pool and logging
from the environment. Their Prometheus series go through files in ``PROMETHEUS_MULTIPROC_DIR``
(a fresh temporary directory unless set), so ``/metrics`` from any worker reports the sums of
all of them. A worker ends with its supervisor, even one killed with SIGKILL: otherwise it
would keep serving (and holding the port) with nobody to stop it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from shared.logging import configure_logging
from shared.process import load, tune_gc
from shared.settings import ServiceSettings

METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# What a worker process builds: "<service>|<settings class>|<app factory>", and who supervises.
_API_ENV = "WARRANTY_API_APP"
_SUPERVISOR_ENV = "WARRANTY_API_SUPERVISOR"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


# The largest request head uvicorn's h11 parser buffers (its default, 16 KiB, answers a larger
# one with a plain-text 400 before the app sees it). Heads up to this size reach the app, whose
# RequestGuardMiddleware answers past HTTP_MAX_HEADER_BYTES with a 431 problem. The httptools
# parser (used when installed, as here) has no limit of its own; the guard answers it the same.
H11_MAX_HEAD_BYTES = 1024 * 1024


def uvicorn_options(settings: ServiceSettings) -> dict[str, Any]:
    return {"host": settings.host, "port": settings.port, "log_config": None,
            "access_log": False, "loop": "uvloop",
            "h11_max_incomplete_event_size": max(H11_MAX_HEAD_BYTES,
                                                 2 * settings.max_header_bytes)}


def serve_api(name: str, settings: ServiceSettings, *, settings_cls: str,
              app_factory: str) -> None:
    options = uvicorn_options(settings)
    if settings.api_workers == 1:
        app = load(app_factory)(settings)
        tune_gc()
        uvicorn.run(app, **options)
        return
    with metrics_dir():
        os.environ[_API_ENV] = "|".join((name, settings_cls, app_factory))
        os.environ[_SUPERVISOR_ENV] = str(os.getpid())
        uvicorn.run("shared.serve:worker_app", factory=True, workers=settings.api_workers,
                    **options)


def worker_app() -> Any:
    """The app of one worker process (uvicorn calls this in each of them)."""
    _end_with_supervisor()
    name, settings_cls, app_factory = os.environ[_API_ENV].split("|")
    settings: ServiceSettings = load(settings_cls)()
    configure_logging(name, settings.log_level)
    app = load(app_factory)(settings)
    tune_gc()
    return app


def _end_with_supervisor() -> None:
    # The kernel sends SIGTERM (a graceful stop) when the supervisor dies, however it dies.
    # Linux only (prctl); elsewhere (a developer's macOS) a SIGKILLed supervisor can leave its
    # workers behind, as with uvicorn itself.
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != os.environ[_SUPERVISOR_ENV]:
        raise SystemExit("the API supervisor ended before this worker started")


@contextlib.contextmanager
def metrics_dir() -> Iterator[Path]:
    """The workers' shared metrics directory, emptied first: files left by an earlier run
    would be added to this one's counts."""
    configured = os.environ.get(METRICS_DIR_ENV)
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="warranty-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[METRICS_DIR_ENV] = str(path)
    try:
        yield path
    finally:
        if configured is None:
            shutil.rmtree(path, ignore_errors=True)
