"""``python -m services.sandbox``: serve the sandbox on SANDBOX_HOST:SANDBOX_PORT."""

from __future__ import annotations

import uvicorn

from shared.cli import tune_gc
from shared.logging import configure_logging

from .app import create_app
from .settings import SandboxSettings


def main() -> None:
    settings = SandboxSettings()
    configure_logging("sandbox", settings.log_level)
    app = create_app(settings)
    tune_gc()
    # log_config=None keeps uvicorn from replacing the JSON log handlers configured above.
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None,
                loop="uvloop")


if __name__ == "__main__":
    main()
