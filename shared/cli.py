"""``python -m services.<name> {api,worker,migrate}``: one entry point per service."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import uvloop

from shared.logging import configure_logging
from shared.process import load, tune_gc
from shared.serve import serve_api
from shared.settings import ServiceSettings


def service_main(
    name: str, *, settings_cls: str, app_factory: str, worker: str, migrate: str
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{name}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("api", help="serve the HTTP API (uvicorn)")
    sub.add_parser("worker", help="run consumers, the outbox relay and timers")
    sub.add_parser("migrate", help="create the database if missing and migrate it to head")
    args = parser.parse_args()

    settings: ServiceSettings = load(settings_cls)()
    configure_logging(name, settings.log_level)
    settings.assert_fit_for_environment()
    if args.command == "api":
        serve_api(name, settings, settings_cls=settings_cls, app_factory=app_factory)
    elif args.command == "worker":
        run: Callable[[Any], Coroutine[Any, Any, None]] = load(worker)
        tune_gc()
        # uvloop, as the APIs have: the workers are the busiest processes of a paid claim.
        uvloop.run(run(settings))
    else:
        asyncio.run(load(migrate)(settings))
    sys.exit(0)
