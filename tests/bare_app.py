"""A platform app with no routers and nothing to start, for tests of the shared web layer
(problem details, middleware); they add their own routes to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from shared.settings import PlatformSettings
from shared.web import build_app


def bare_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield

    app = build_app(service="t", title="t", description="t", lifespan=lifespan, routers=[])
    app.state.settings = PlatformSettings()
    return app


async def call(app: FastAPI, method: str, path: str, **kw: object) -> httpx.Response:
    """One request in process; an error the app lets out is answered as a client would see it."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, **kw)  # type: ignore[arg-type]
