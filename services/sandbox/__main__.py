"""``python -m services.sandbox [migrate]``: serve the sandbox on SANDBOX_HOST:SANDBOX_PORT, or
create and migrate its database (SANDBOX_DATABASE_URL)."""

from __future__ import annotations

import argparse
import asyncio

import uvicorn

from shared.logging import configure_logging
from shared.process import tune_gc

from .app import create_app
from .database import migrate
from .settings import SandboxSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.sandbox")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve",
                        help="serve the sandbox (default), or migrate its database to head")
    args = parser.parse_args()
    settings = SandboxSettings()
    configure_logging("sandbox", settings.log_level)
    if args.command == "migrate":
        asyncio.run(migrate(settings))
        return
    app = create_app(settings)
    tune_gc()
    # log_config=None keeps uvicorn from replacing the JSON log handlers configured above.
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None,
                loop="uvloop")


if __name__ == "__main__":
    main()
