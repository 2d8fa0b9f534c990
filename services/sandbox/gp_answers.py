"""The answers every J.P. Morgan-style route of the sandbox gives (Global Payments v1 and the
Concourse modelled on it): JSON bodies, the shared intake's problems and pydantic's refusals in
Global Payments' error envelopes (never problem+json), the endToEndId of a body that failed
validation, the caller's calendar for execution dates, and the initiation and status routes'
common course. One place, so the two rails cannot drift apart in how they answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from shared.problems import ProblemError

from .intake import Plan, found, intake
from .jpm_schemas import (
    MANDATORY_FIELD,
    UNKNOWN_ID,
    PaymentIdentifiers,
    errors,
    init_errors,
    initiation_answer,
)
from .runtime import Sandbox, SandboxDep
from .state import Payment, Rail

NEW_YORK = ZoneInfo("America/New_York")

# The documented answers of ``GET /payments/status`` on both rails.
STATUS_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "`PaymentStatus`"},
    400: {"description": "`{\"errors\": [Errors]}`"},
    503: {"description": "`{\"errors\": [Errors]}` GCA-099 (fault)"},
}


def initiation_answers(accepted: str) -> dict[int | str, dict[str, Any]]:
    """The documented answers of ``POST /payments``; ``accepted`` describes the rail's 202."""
    return {
        202: {"description": accepted},
        400: {"description": "`{\"errors\": ErrorsInit}`: the request does not meet the spec"},
        503: {"description": "`{\"errors\": Errors}`: GCA-099 System Unavailable (fault)"},
    }


def initiation_body(details: type[BaseModel]) -> dict[str, Any]:
    """``POST /payments``' documented body (``openapi_extra``): the route reads the raw body
    itself, so that a refusal is answered in the spec's envelope, not FastAPI's."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": details.model_json_schema(by_alias=True)}}}}


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


class Instruction(Protocol):
    """What both rails' ``payments`` envelopes carry that the initiation needs."""

    payment_identifiers: PaymentIdentifiers
    requested_execution_date: str


InstructionT = TypeVar("InstructionT", bound=Instruction)
InstructionT_co = TypeVar("InstructionT_co", bound=Instruction, covariant=True)


class Details(Protocol[InstructionT_co]):
    """A rail's request body: its ``payments`` envelope."""

    @property
    def payments(self) -> InstructionT_co: ...


# The payment to record for an instruction, and the plan of its life.
Prepared = tuple[Payment, Plan]


async def initiate(request: Request, sandbox: Sandbox,
                   validate: Callable[[Any], Details[InstructionT]],
                   date_problem: Callable[[InstructionT], str | None],
                   prepare: Callable[[InstructionT], Awaitable[Prepared]]) -> JSONResponse:
    """``POST /payments``: the body read and validated (``validate``: the rail's model), the
    execution date of its ``payments`` envelope checked, the payment recorded once per
    endToEndId, and the 202 (or the envelope of the refusal)."""
    try:
        raw = await request.json()
    except ValueError:
        return unreadable_body()
    try:
        payments = validate(raw).payments
    except ValidationError as exc:
        return refusal(exc, end_to_end_id_of(raw))
    end_to_end_id = payments.payment_identifiers.end_to_end_id
    if (problem := date_problem(payments)) is not None:
        return json_answer(400, init_errors([("10004", problem)], end_to_end_id))
    candidate, plan = await prepare(payments)
    try:
        payment = await intake(sandbox, candidate, None, plan)
    except ProblemError as exc:
        if exc.status == 409:
            return json_answer(400, init_errors([(UNKNOWN_ID[0], exc.detail or UNKNOWN_ID[1])],
                                                end_to_end_id))
        return fault_answer(exc, query=False)
    return json_answer(202, initiation_answer(payment))


def add_status_route(router: APIRouter, rail: Rail, answer: Callable[[Payment], dict[str, Any]],
                     description: str) -> None:
    """``GET /payments/status`` on ``rail``'s router: ``status_of`` behind the spec's query."""

    @router.get("/payments/status", summary="Retrieve payment status (by endToEndId)",
                description=description, responses=STATUS_ANSWERS)
    async def payment_status(
        sandbox: SandboxDep,
        end_to_end_id: Annotated[str | None, Query(alias="endToEndId", max_length=128)] = None,
    ) -> JSONResponse:
        return await status_of(sandbox, end_to_end_id, rail, answer)


async def status_of(sandbox: Sandbox, end_to_end_id: str | None, rail: Rail,
                    answer: Callable[[Payment], dict[str, Any]]) -> JSONResponse:
    """``GET /payments/status``: the payment's ``paymentStatus``, or the envelope saying why
    not (no id: GCA-095; unknown: 10009; a fault)."""
    if not end_to_end_id:
        return json_answer(400, errors("GCA-095", "endToEndId or firmRootId is required",
                                       query=True))
    try:
        payment = await found(sandbox, end_to_end_id, rail)
    except ProblemError as exc:
        return fault_answer(exc, query=True)
    return json_answer(200, answer(payment))
