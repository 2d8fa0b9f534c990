"""RFC 9457 problem details: the one error format of every HTTP API in the platform.

Every error a client can see has a stable ``type`` URI (``urn:warranty:problem:<slug>``) so
integrators can branch on it, a human ``title`` and a ``detail`` for this occurrence.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db.errors import database_unavailable, unique_violation

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:warranty:problem:"

log = logging.getLogger(__name__)


class Problem(BaseModel):
    """Schema of an RFC 9457 problem details body (used in OpenAPI)."""

    type: str = Field(examples=[TYPE_PREFIX + "validation-error"])
    title: str = Field(examples=["Request is not valid"])
    status: int = Field(examples=[422])
    detail: str | None = Field(default=None, examples=["payee email is a placeholder"])
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


class ProblemError(Exception):
    """Raise from any layer above the domain to answer with a problem details response."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_PREFIX + slug, "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def internal_error(path: str) -> JSONResponse:
    """The 500 answer: says nothing about internals."""
    return problem_response(
        500, "internal-error", "Internal error",
        "The request could not be completed; it is safe to retry with the same "
        "Idempotency-Key.",
        instance=path,
    )


# Seconds a client is asked to wait when the database is unavailable for a moment.
RETRY_AFTER_S = 2


def database_unavailable_error(path: str) -> JSONResponse:
    """The 503 answer when PostgreSQL refuses or drops connections (too many clients, a restart):
    the same request can be sent again shortly. A connection lost during a commit leaves its
    outcome unknown, which is what the Idempotency-Key of a money-moving request settles."""
    return problem_response(
        503, "database-unavailable", "Service unavailable",
        "The service cannot reach its database at the moment. Retry after "
        f"{RETRY_AFTER_S} seconds, with the same Idempotency-Key if the request has one.",
        instance=path, headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def conflict_error(path: str) -> JSONResponse:
    """The 409 answer when a commit would duplicate a row a unique constraint protects. It names
    neither the statement nor the constraint nor the values: those are internals (and may be a
    payee's data)."""
    return problem_response(
        409, "conflict", "Conflicts with an existing resource",
        "The request would duplicate something that already exists (e.g. an open item of the "
        "same kind); nothing was changed. Read the resource and retry only if it still applies.",
        instance=path,
    )


def unexpected_error(exc: BaseException, method: str, path: str) -> JSONResponse:
    """The answer to an exception no handler expected, logged: a 503 if the database refused or
    dropped the connection (a retry shortly may succeed), a 409 if a unique constraint refused
    the commit, else a 500 without internals."""
    if database_unavailable(exc):
        log.warning("database unavailable on %s %s: %r", method, path, exc)
        return database_unavailable_error(path)
    constraint = unique_violation(exc)
    if constraint is not None:
        # The constraint's name only: the error's text holds the key's values.
        log.warning("unique violation on %s %s: %s", method, path, constraint or "unnamed")
        return conflict_error(path)
    log.error("unhandled error on %s %s", method, path, exc_info=exc)
    return internal_error(path)


_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Request is not valid"),
    429: ("too-many-requests", "Too many requests"),
    431: ("request-header-too-large", "Request header fields too large"),
}


def _json_safe_errors(errors: Any) -> list[dict[str, Any]]:
    safe = []
    for err in errors:
        # ctx may hold exception objects, which are not JSON serialisable.
        item = {k: v for k, v in dict(err).items() if k in ("loc", "msg", "type")}
        item["loc"] = [str(part) for part in item.get("loc", ())]
        safe.append(item)
    return safe


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error to problem details; an unexpected error is a 500 without internals."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail,
            instance=request.url.path, extra=exc.extra, headers=exc.headers,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            422, "validation-error", "Request is not valid",
            "One or more fields are invalid; see errors.",
            instance=request.url.path, extra={"errors": _json_safe_errors(exc.errors())},
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem_response(
            exc.status_code, slug, title, detail,
            instance=request.url.path, headers=getattr(exc, "headers", None),
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_error(exc, request.method, request.url.path)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the problem details a route can return."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        slug, title = _STATUS_SLUGS.get(status, ("http-error", "HTTP error"))
        out[status] = {
            "model": Problem,
            "description": title,
            "content": {
                PROBLEM_JSON: {
                    "example": {"type": TYPE_PREFIX + slug, "title": title, "status": status}
                }
            },
        }
    return out
