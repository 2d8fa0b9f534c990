"""``python -m services.<name> {api,worker,migrate}``: one entry point per service."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn
import uvloop

from shared.logging import configure_logging
from shared.settings import ServiceSettings


def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def service_main(
    name: str, *, settings_cls: str, app_factory: str, worker: str, migrate: str
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{name}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("api", help="serve the HTTP API (uvicorn)")
    sub.add_parser("worker", help="run consumers, the outbox relay and timers")
    sub.add_parser("migrate", help="create the database if missing and migrate it to head")
    args = parser.parse_args()

    settings: ServiceSettings = _load(settings_cls)()
    configure_logging(name, settings.log_level)
    settings.assert_fit_for_environment()
    if args.command == "api":
        app = _load(app_factory)(settings)
        uvicorn.run(app, host=settings.host, port=settings.port, log_config=None,
                    access_log=False, loop="uvloop")
    elif args.command == "worker":
        run: Callable[[Any], Coroutine[Any, Any, None]] = _load(worker)
        # uvloop, as the APIs have: the workers are the busiest processes of a paid claim.
        uvloop.run(run(settings))
    else:
        asyncio.run(_load(migrate)(settings))
    sys.exit(0)
