"""Domain errors as RFC 9457 problem details: the one mapping of an error's kind to an HTTP
status, used by every service's API. The error's ``code`` is the problem type's slug."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.domain.errors import DomainError, ErrorKind
from shared.problems import problem_response

STATUS: Mapping[ErrorKind, int] = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.INVALID: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.DECLINED: 402,
    ErrorKind.UNAVAILABLE: 503,
}

# A service's extra members of one error's problem body (billing's ``decline_reason``).
ProblemExtra = Callable[[DomainError], Mapping[str, Any] | None]


def no_extra(_exc: DomainError) -> Mapping[str, Any] | None:
    return None


def domain_problem(exc: DomainError, path: str, extra: ProblemExtra = no_extra) -> JSONResponse:
    return problem_response(
        STATUS[exc.kind], exc.code, exc.title, exc.detail, instance=path, extra=extra(exc)
    )


def install_domain_error_handler(app: FastAPI, extra: ProblemExtra = no_extra) -> None:
    """Answer every ``DomainError`` a route lets through as its problem details."""

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return domain_problem(exc, request.url.path, extra)

    app.add_exception_handler(DomainError, on_domain_error)
