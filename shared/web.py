"""The HTTP parts every service API shares: health, readiness, metrics, correlation ids, errors."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
from aio_pika.abc import AbstractConnection
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.db.engine import create_engine, create_sessionmaker, ping
from shared.logging import correlation_id_var
from shared.messaging.asyncapi import render as render_asyncapi
from shared.problems import (
    PROBLEM_JSON,
    RETRY_AFTER_S,
    database_unavailable_error,
    install_problem_handlers,
    problem_response,
    problem_responses,
    unexpected_error,
)
from shared.settings import PlatformSettings, ServiceSettings
from shared.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
CORRELATION_HEADER = "x-correlation-id"
CORRELATION_HEADER_BYTES = CORRELATION_HEADER.encode()
log = logging.getLogger(__name__)


# What a caller's correlation id may hold: printable ASCII without spaces. Anything else (bytes
# that are not UTF-8, control characters, other scripts) is not refused but replaced by a fresh
# id: the request is served, and the id in the answer is the one its logs carry.
_CORRELATION_ID = re.compile(rb"[\x21-\x7e]{1,120}")


def incoming_correlation_id(scope: Scope) -> str | None:
    """The caller's ``X-Correlation-ID`` if it is usable as is (longer ones are cut to 120
    characters, as they always were), else None."""
    for name, value in scope.get("headers") or ():
        if name == CORRELATION_HEADER_BYTES:
            value = value[:120]
            return value.decode("ascii") if _CORRELATION_ID.fullmatch(value) else None
    return None


class CorrelationAndMetricsMiddleware:
    """Takes (or makes) the request's correlation id and records latency per route template."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = incoming_correlation_id(scope) or str(uuid.uuid4())
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
        except Exception as exc:
            # Answer here rather than in Starlette's outermost error middleware, so the error is
            # logged and answered with the request's correlation id.
            if started_response:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                raise
            answer = unexpected_error(exc, scope["method"], scope["path"])
            await answer(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, scope["method"], template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, scope["method"], template).observe(
                time.perf_counter() - started
            )
            correlation_id_var.reset(token)


class PayloadTooLarge(StarletteHTTPException):
    """Raised from ``receive`` once a streamed body passes its cap: FastAPI lets an
    HTTPException raised while reading the body through, and the problem handlers answer it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes",
                         headers=_CLOSE)


_BEARER = re.compile(rb"[Bb][Ee][Aa][Rr][Ee][Rr] +[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+ *")
# Lob's webhook signature (shared/signing.py): a hex HMAC and a timestamp in milliseconds.
_SIGNATURE = re.compile(rb" *[0-9a-f]{64} *")
_TIMESTAMP = re.compile(rb" *[0-9]{1,15} *")
# J.P. Morgan's notification signature (services/payouts/rails/jpm_payments/notifications.py):
# a base64 signature, the key's id and its algorithm. Only their shape is checked here.
_NOTIFICATION_SIGNATURE = re.compile(rb" *[A-Za-z0-9+/]{40,1400}={0,2} *")
_NOTIFICATION_KEY_ID = re.compile(rb" *[A-Za-z0-9._:-]{1,200} *")
_NOTIFICATION_ALGORITHM = re.compile(rb" *(EC|RSA) *")
_JSON_MEDIA = re.compile(r"application/(json|[!#$&^_.+\w-]+\+json)", re.IGNORECASE)


# A refusal leaves the body unread: closing the connection stops the server from reading (and
# discarding) the rest of it to keep the connection alive.
_CLOSE = {"Connection": "close"}


def _lob_signed(headers: dict[bytes, bytes]) -> bool:
    signature = headers.get(SIGNATURE_HEADER.lower().encode(), b"")
    timestamp = headers.get(TIMESTAMP_HEADER.lower().encode(), b"")
    return bool(_SIGNATURE.fullmatch(signature) and _TIMESTAMP.fullmatch(timestamp))


def _notification_signed(headers: dict[bytes, bytes]) -> bool:
    return bool(_NOTIFICATION_SIGNATURE.fullmatch(headers.get(b"signature", b""))
                and _NOTIFICATION_KEY_ID.fullmatch(headers.get(b"key-id", b""))
                and _NOTIFICATION_ALGORITHM.fullmatch(headers.get(b"signing-algorithm", b"")))


def _problem(status: int, slug: str, title: str, detail: str, path: str,
             headers: dict[str, str] | None = None) -> Response:
    return problem_response(status, slug, title, detail, instance=path,
                            headers={**_CLOSE, **(headers or {})})


class RequestGuardMiddleware:
    """What every request must pass before its body is read, in this order: a head within
    ``max_header_bytes`` (431); then, for a request with a body, the caller's credentials
    present and well-formed (401: a bearer JWT, or on ``signed_paths`` the provider's
    signature headers; verifying them needs no body either, but is the route's job), a JSON
    media type (415) and a declared length within the route's cap (413). A body streamed
    without a length is counted as it is read and refused (413) as soon as it passes the cap:
    nothing past the cap is ever read, so an unauthenticated or oversized request costs no
    memory. Pure ASGI: ``BaseHTTPMiddleware`` would buffer and wrap every request."""

    def __init__(self, app: ASGIApp, *, authenticated_prefix: str = "/v1/",
                 signed_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.authenticated_prefix = authenticated_prefix
        self.signed_paths = signed_paths
        self._defaults = PlatformSettings()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = getattr(scope["app"].state, "settings", None) if "app" in scope else None
        if not isinstance(settings, PlatformSettings):
            settings = self._defaults
        refusal, limit = self._check(scope, settings)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if limit is None:
            await self.app(scope, receive, send)
            return
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        try:
            await self.app(scope, capped_receive, send)
        except PayloadTooLarge:
            # Read outside a route's body parsing (no handler saw it): answer here.
            await _problem(413, "payload-too-large", "Request body too large",
                           f"the request body is larger than {limit} bytes",
                           scope["path"])(scope, receive, send)

    def _check(self, scope: Scope, settings: PlatformSettings) -> tuple[Response | None,
                                                                        int | None]:
        """A refusal, or None and the body cap to enforce while reading (None: no body)."""
        path: str = scope["path"]
        raw: list[tuple[bytes, bytes]] = scope.get("headers") or []
        if sum(len(name) + len(value) for name, value in raw) > settings.max_header_bytes:
            return _problem(431, "request-header-too-large", "Request header fields too large",
                            f"the request's headers exceed {settings.max_header_bytes} bytes",
                            path), None
        headers: dict[bytes, bytes] = {}
        lengths = []
        for name, value in raw:
            headers.setdefault(name, value)
            if name == b"content-length":
                lengths.append(value)
        if len(set(lengths)) > 1 or (lengths and not lengths[0].strip().isdigit()):
            return _problem(400, "bad-request", "Bad request", "Content-Length is not valid",
                            path), None
        length = int(lengths[0]) if lengths else None
        if not (length or b"transfer-encoding" in headers):
            return None, None
        if path.startswith(self.authenticated_prefix):
            refusal = self._unauthenticated(path, headers)
            if refusal is not None:
                return refusal, None
        media = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip()
        if media and not _JSON_MEDIA.fullmatch(media):
            return _problem(415, "unsupported-media-type", "Unsupported media type",
                            "the body must be JSON (Content-Type: application/json)",
                            path), None
        limit = settings.body_limit(path)
        if length is not None and length > limit:
            return _problem(413, "payload-too-large", "Request body too large",
                            f"the request body is larger than {limit} bytes", path), None
        return None, limit

    def _unauthenticated(self, path: str, headers: dict[bytes, bytes]) -> Response | None:
        if path.startswith(self.signed_paths) if self.signed_paths else False:
            if _lob_signed(headers) or _notification_signed(headers):
                return None
            return _problem(401, "invalid-signature", "Signature not valid",
                            "the callback's signature or timestamp does not verify", path)
        if _BEARER.fullmatch(headers.get(b"authorization", b"")):
            return None
        return _problem(401, "unauthenticated", "Authentication required",
                        "a bearer token (a JWT) is required", path,
                        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


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


@asynccontextmanager
async def api_resources(
    app: FastAPI, settings: ServiceSettings
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """What every API holds while it serves (a lifespan's first step): its settings, its engine
    and session factory, and the broker probe ``/readyz`` asks; closed when the API stops."""
    app.state.settings = settings
    app.state.engine = create_engine(settings.database_url)
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    app.state.broker = BrokerProbe(settings.amqp_url)
    try:
        yield app.state.sessionmaker
    finally:
        await app.state.broker.close()
        await app.state.engine.dispose()


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
        responses=problem_responses(503),
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
        return Response(_exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


def _exposition() -> bytes:
    """This process's series, or, when the API runs as several processes (shared/serve.py),
    the sums over all of them."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return generate_latest()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def build_app(
    *,
    service: str,
    title: str,
    description: str,
    lifespan: Any,
    routers: list[APIRouter],
    openapi_tags: list[dict[str, Any]] | None = None,
    signed_paths: tuple[str, ...] = (),
) -> FastAPI:
    """The app of a service API. ``signed_paths``: the path prefixes whose requests are
    authenticated by the provider's signature headers instead of a bearer token."""
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_tags=openapi_tags,
    )
    install_problem_handlers(app)
    # Added first, so it runs inside the correlation middleware: its refusals carry the
    # request's correlation id and are counted like every other answer.
    app.add_middleware(RequestGuardMiddleware, signed_paths=signed_paths)
    app.add_middleware(CorrelationAndMetricsMiddleware, service=service)

    def engine() -> AsyncEngine:
        return app.state.engine  # type: ignore[no-any-return]

    def broker() -> BrokerProbe:
        return app.state.broker  # type: ignore[no-any-return]

    app.include_router(operational_router(service, engine, broker))
    for router in routers:
        app.include_router(router)
    _document_shared_answers(app)
    return app


def _database_unavailable_response() -> dict[str, Any]:
    example = json.loads(bytes(database_unavailable_error("/v1/...").body))
    return {
        "description": "The service cannot reach its database at the moment: retry after the "
                       "Retry-After seconds, with the same Idempotency-Key if the request has "
                       "one.",
        "headers": {"Retry-After": {"description": "Seconds to wait before retrying (sent with "
                                                   "`database-unavailable`).",
                                    "schema": {"type": "integer", "example": RETRY_AFTER_S}}},
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"},
                                   "example": example}},
    }


def _add_database_unavailable(responses: dict[str, Any]) -> None:
    """The 503 of an unavailable database; beside it where the operation documents a 503 of its
    own (a provider that did not answer): one status, two causes, told apart by the type."""
    unavailable = _database_unavailable_response()
    own = responses.get("503")
    if own is None:
        responses["503"] = unavailable
        return
    own["description"] = ("Unavailable for the moment; the problem's type says what: a provider "
                          "that did not answer, or `database-unavailable` (with Retry-After). "
                          "Retry later, with the same Idempotency-Key if the request has one.")
    own.setdefault("headers", unavailable["headers"])


def _document_shared_answers(app: FastAPI) -> None:
    """Answers every operation can give, said in the document once for all of them: 400
    ``bad-request``, 413 ``payload-too-large`` and 415 ``unsupported-media-type`` where a body
    is read (a body that is not JSON at all never reaches validation), and 503
    ``database-unavailable`` on every ``/v1`` operation (the database refused or dropped the
    connection). And give every JSON body and answer without a written example one built from
    its schema."""
    build = app.openapi
    body_answers = {str(status): answer for status, answer in problem_responses(
        400, 413, 415).items()}
    body_answers["413"]["description"] = (
        "The body is larger than the route's cap (HTTP_MAX_BODY_BYTES, 256 KiB by default; "
        "provider callbacks PAYOUTS_CALLBACK_MAX_BODY_BYTES, 64 KiB): refused from its "
        "Content-Length before it is read, or as soon as a streamed body passes the cap.")
    body_answers["415"]["description"] = (
        "The body is not JSON: send Content-Type: application/json.")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            problems_as_problem_json(document)
            complete_examples(document)
            problem_ref = {"$ref": "#/components/schemas/Problem"}
            for path, operations in document.get("paths", {}).items():
                for operation in operations.values():
                    if path.startswith("/v1/"):
                        _add_database_unavailable(operation["responses"])
                    if "requestBody" not in operation:
                        continue
                    for status, answer in body_answers.items():
                        if status in operation["responses"]:
                            continue
                        content = {k: dict(v) for k, v in answer["content"].items()}
                        for media in content.values():
                            media["schema"] = problem_ref
                        operation["responses"][status] = {
                            "description": answer["description"], "content": content}
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def request_state(request: Request, name: str) -> Any:
    return getattr(request.app.state, name)


_SAMPLE_STRINGS = {
    "uuid": "0b8f5a9e-4f5c-4e0b-9a53-3f8f5f0d2a11", "date-time": "2026-01-05T10:00:00Z",
    "date": "2026-01-05", "email": "jane.doe@homemail.net", "uri": "https://example.com/",
}


def problems_as_problem_json(document: dict[str, Any]) -> None:
    """Errors are answered as ``application/problem+json`` only: FastAPI files a response
    model under ``application/json``; move that schema to the problem media type."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if not status.startswith(("4", "5")) or PROBLEM_JSON not in content:
                    continue
                schema = content.pop("application/json", {}).get("schema")
                content[PROBLEM_JSON].setdefault(
                    "schema", schema or {"$ref": "#/components/schemas/Problem"})


def complete_examples(document: dict[str, Any]) -> None:
    """Integrators copy examples: a JSON request or 2xx answer without one gets an example
    built from its schema (field examples first), so none is ever missing or out of date."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            media = [operation.get("requestBody", {}).get("content", {}).get("application/json")]
            media += [r.get("content", {}).get("application/json")
                      for status, r in operation["responses"].items() if status.startswith("2")]
            for item in media:
                if item is not None and "example" not in item and "examples" not in item:
                    item["example"] = sample(document, item.get("schema", {}))


def sample(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A value that fits ``schema``: its own example, else one built from its parts."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return sample(document, document["components"]["schemas"][name], depth + 1)
    for key in ("examples", "example", "default", "const", "enum"):
        if schema.get(key) not in (None, []):
            value = schema[key]
            return value[0] if key in ("examples", "enum") else value
    for key in ("anyOf", "oneOf", "allOf"):
        variants = [v for v in schema.get(key, []) if v.get("type") != "null"]
        if variants:
            return sample(document, variants[0], depth + 1)
    kind = schema.get("type")
    if depth > 12 or kind == "null":
        return None
    if kind == "object":
        extra = schema.get("additionalProperties")
        if not schema.get("properties") and isinstance(extra, dict):
            return {"key": sample(document, extra, depth + 1)}
        return {name: sample(document, prop, depth + 1)
                for name, prop in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(document, schema.get("items", {}), depth + 1)]
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    return _SAMPLE_STRINGS.get(schema.get("format", ""), "text")
