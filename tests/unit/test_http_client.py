"""Outgoing clients must let go of an idle connection before the server on the other side does,
or a request can leave on a connection the server is closing and fail with a ReadError (it
failed a portal payment under load with a 503)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from shared import http


async def test_idle_connections_expire_before_uvicorn_closes_them() -> None:
    client = http.client(5)
    try:
        pool = client._transport._pool  # type: ignore[attr-defined]
        server_keep_alive = uvicorn.Config(FastAPI()).timeout_keep_alive
        assert pool._keepalive_expiry < server_keep_alive
    finally:
        await client.aclose()
