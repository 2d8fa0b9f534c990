"""An HTTP client that behaves like a patient real one while services die and come back.

Connection errors and 5xx answers are retried with the very same request (same body, same
``Idempotency-Key`` header when the API takes one) for as long as the platform keeps moving
(``chaos.progress``: some request answered in the last ``stall_s`` seconds). A retried create
that has no idempotency key may create a second resource: that is the client's own doing and the
platform must cope with it, so the harness does not hide it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from chaos.progress import Progress

RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


class GaveUp(Exception):
    """Nothing moved for the run's stall time while the service still did not answer."""


class RetryingClient(httpx.AsyncClient):
    def __init__(self, *, progress: Progress, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.progress = progress
        self.retries = 0

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        delay = 0.2
        while True:
            try:
                response = await super().send(request, **kwargs)
                if response.status_code not in RETRYABLE_STATUS:
                    self.progress.moved()
                    return response
                await response.aclose()
                failure = f"{response.status_code} from {request.url.path}"
            except httpx.TransportError as exc:
                failure = f"{type(exc).__name__} on {request.url.path}"
            if self.progress.stalled:
                raise GaveUp(f"{failure}; nothing answered for {self.progress.idle_s():.0f} s")
            self.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
