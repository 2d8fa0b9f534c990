"""Outgoing HTTP clients (providers, the card gateway, webhooks)."""

from __future__ import annotations

import httpx

# uvicorn (and many servers) close a keep-alive connection after 5 idle seconds; httpx keeps one
# for 5 seconds too, so a request could go out on a connection the server was closing at that
# instant and fail with a ReadError. Dropping idle connections sooner avoids that race.
KEEPALIVE_EXPIRY_S = 2.0


def client(timeout_s: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout_s,
                             limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S))
