"""Domain errors as RFC 9457 problem details; the OpenAPI entries that document them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.billing.domain.errors import DomainError, ErrorKind, PaymentDeclined
from shared.problems import problem_response, problem_responses

STATUS = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.INVALID: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.DECLINED: 402,
    ErrorKind.UNAVAILABLE: 503,
}


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        extra = {"decline_reason": exc.reason} if isinstance(exc, PaymentDeclined) else None
        return problem_response(
            STATUS[exc.kind], exc.code, exc.title, exc.detail, instance=request.url.path,
            extra=extra,
        )

    app.add_exception_handler(DomainError, on_domain_error)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Every route needs a token (401) and validates its input (422)."""
    return problem_responses(*sorted({401, 422, *statuses}))
