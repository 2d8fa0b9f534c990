"""An ASGI app served for real by uvicorn, on a loopback port, in a thread of the test process:
for clients that must go over a socket (TLS handshakes, a process that reads a URL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

STARTUP_S = 10


@contextmanager
def served_in_thread(app: Any, port: int, **config: Any) -> Iterator[None]:
    """``app`` on 127.0.0.1:``port`` for the block, started before it begins and asked to exit
    after it ends; ``config`` goes on to ``uvicorn.Config`` (TLS files, for one)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_S
    while not server.started:
        assert time.monotonic() < deadline, f"uvicorn did not start on port {port}"
        time.sleep(0.05)
    yield
    server.should_exit = True
    thread.join(timeout=10)
