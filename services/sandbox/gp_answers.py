"""The answers every J.P. Morgan-style route of the sandbox gives (Global Payments v1 and the
Concourse modelled on it): JSON bodies, the shared intake's problems and pydantic's refusals in
Global Payments' error envelopes (never problem+json), the endToEndId of a body that failed
validation, and the caller's calendar for execution dates. One place, so the two rails cannot
drift apart in how they refuse."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import JSONResponse
from pydantic import ValidationError

from shared.problems import ProblemError

from .jpm_schemas import MANDATORY_FIELD, UNKNOWN_ID, errors, init_errors

NEW_YORK = ZoneInfo("America/New_York")


def json_answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None,
                ) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def fault_answer(exc: ProblemError, *, query: bool) -> JSONResponse:
    """The shared intake's problems (faults, unknown ids), in J.P. Morgan's envelopes."""
    if exc.status == 404:
        return json_answer(400, errors(UNKNOWN_ID[0], exc.detail or UNKNOWN_ID[1], query=True))
    if exc.status == 429:
        return json_answer(429, errors("GCA-429", "Too many requests", query=query),
                           exc.headers)
    return json_answer(503, errors("GCA-099", "System Unavailable", query=query), exc.headers)


def refusal(exc: ValidationError, end_to_end_id: str | None) -> JSONResponse:
    """A request that does not meet the spec: 400 ``ErrorsInit``, one error per field."""
    found_errors = [(MANDATORY_FIELD[0], f"Error occurred on '/{_where(e)}': {e['msg']}")
                    for e in exc.errors()[:20]]
    return json_answer(400, init_errors(found_errors, end_to_end_id))


def _where(error: Any) -> str:
    return ".".join(str(part) for part in error["loc"] if part != "body")


def end_to_end_id_of(raw: Any) -> str | None:
    """The endToEndId of a body that may not have validated, to echo in the refusal."""
    try:
        value = raw["payments"]["paymentIdentifiers"]["endToEndId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def new_york_today() -> date:
    # Execution dates are the caller's calendar (the wall clock), not the sandbox clock, which
    # only moves payments' lives forward.
    return datetime.now(NEW_YORK).date()


def unreadable_body() -> JSONResponse:
    """A body that is not JSON at all: Global Payments' GCA-023."""
    return json_answer(400, init_errors([("GCA-023", "Please re-send request in valid format")]))
