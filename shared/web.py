"""The HTTP parts every service API shares: health, readiness, metrics, correlation ids, errors."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
from aio_pika.abc import AbstractConnection
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.db.engine import ping
from shared.logging import correlation_id_var
from shared.messaging.asyncapi import render as render_asyncapi
from shared.problems import install_problem_handlers, internal_error, problem_response

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
CORRELATION_HEADER = "x-correlation-id"
log = logging.getLogger(__name__)


class CorrelationAndMetricsMiddleware:
    """Takes (or makes) the request's correlation id and records latency per route template."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(CORRELATION_HEADER.encode(), b"").decode()[:120]
        correlation_id = incoming or str(uuid.uuid4())
        token = correlation_id_var.set(correlation_id)
        started = time.perf_counter()
        status = 500
        started_response = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((CORRELATION_HEADER.encode(), correlation_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            # Answer here rather than in Starlette's outermost error middleware, so the 500 is
            # logged and answered with the request's correlation id.
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started_response:
                raise
            await internal_error(scope["path"])(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, scope["method"], template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, scope["method"], template).observe(
                time.perf_counter() - started
            )
            correlation_id_var.reset(token)


class BrokerProbe:
    """Readiness of the broker: one lazily (re)opened connection, checked on each call."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._connection: AbstractConnection | None = None

    async def check(self) -> None:
        if self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self._url, timeout=3)

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed:
            await self._connection.close()


ReadinessCheck = Callable[[], Awaitable[None]]


@functools.cache
def asyncapi_document() -> str:
    return render_asyncapi()


def operational_router(
    service: str, engine: Callable[[], AsyncEngine], broker: Callable[[], BrokerProbe]
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get(
        "/readyz",
        summary="Readiness: the database and the broker are reachable",
        responses={503: {"description": "A dependency is down (problem details)."}},
    )
    async def readyz() -> Response:
        checks: dict[str, str] = {}
        probes: dict[str, Callable[[], Awaitable[None]]] = {
            "database": lambda: ping(engine()),
            "broker": broker().check,
        }
        for name, check in probes.items():
            try:
                await asyncio.wait_for(check(), timeout=5)
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"down: {type(exc).__name__}"
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "service": service, "checks": checks})
        return problem_response(
            503, "not-ready", "Service not ready", "a dependency is unreachable",
            extra={"checks": checks},
        )

    @router.get(
        "/asyncapi.json",
        summary="AsyncAPI 3 document of every command and event of the platform",
        response_class=Response,
    )
    async def asyncapi() -> Response:
        return Response(asyncapi_document(), media_type="application/json")

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def build_app(
    *,
    service: str,
    title: str,
    description: str,
    lifespan: Any,
    routers: list[APIRouter],
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=openapi_tags,
    )
    install_problem_handlers(app)
    app.add_middleware(CorrelationAndMetricsMiddleware, service=service)

    def engine() -> AsyncEngine:
        return app.state.engine  # type: ignore[no-any-return]

    def broker() -> BrokerProbe:
        return app.state.broker  # type: ignore[no-any-return]

    app.include_router(operational_router(service, engine, broker))
    for router in routers:
        app.include_router(router)
    return app


def request_state(request: Request, name: str) -> Any:
    return getattr(request.app.state, name)
