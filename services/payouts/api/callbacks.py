"""``POST /v1/callbacks/{concourse,zelle,check}``: provider status callbacks, authenticated by
HMAC signature over the raw body (not by a JWT: the provider has none)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from services.payouts.adapters import check, concourse, zelle
from services.payouts.adapters.provider_http import ProviderProtocolError
from services.payouts.api.schemas import CallbackAck, ConcourseCallback, RailCallback
from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.metrics import CALLBACKS
from services.payouts.service.callbacks import (
    CallbackMismatchError,
    ProviderCallback,
    UnknownAttemptError,
    handle_callback,
)
from services.payouts.service.context import Deps
from services.payouts.settings import PayoutsSettings
from shared.money import Money
from shared.problems import ProblemError, problem_responses
from shared.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/callbacks", tags=["provider callbacks"])

Observe = Callable[[str, str | None], Observation]


def _table(table: dict[str, Observation]) -> Observe:
    def observe(status: str, reason_code: str | None) -> Observation:
        del reason_code
        if status not in table:
            raise ProviderProtocolError(f"unknown status {status!r}")
        return table[status]

    return observe


OBSERVE: dict[Rail, Observe] = {
    Rail.CONCOURSE: _table(concourse.OBSERVATIONS),
    Rail.ZELLE: _table(zelle.OBSERVATIONS),
    Rail.CHECK: check.observe,
}
_DESCRIPTION = (
    f"Signed by the provider: `{TIMESTAMP_HEADER}: <unix seconds>` and "
    f"`{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256(secret, \"<timestamp>.\" + raw body)>`; "
    "timestamps older than the tolerance are refused. Repeats and out-of-order events answer "
    "200 without a second effect."
)
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": {"result": "applied"}}}},
    **problem_responses(401, 404, 409, 422),
}


# The callbacks' authentication, for integrators (verified in _receive, not by FastAPI).
_SIGNATURE_HEADERS = [
    {"name": SIGNATURE_HEADER, "in": "header", "required": True,
     "description": "`sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the shared "
     "webhook secret.", "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
     "example": "sha256=" + "3f" * 32},
    {"name": TIMESTAMP_HEADER, "in": "header", "required": True,
     "description": "Unix seconds when the provider signed; refused when older (or newer) "
     "than the tolerance (`PAYOUTS_CALLBACK_TOLERANCE_S`): a replay is refused.",
     "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"}, "example": "1767607203"},
]


def _body_doc(schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": _SIGNATURE_HEADERS,
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": schema, "example": example}}}}


_EXAMPLE = {
    "eventId": "5d0c7c2e-2b7e-4a59-9b0c-0d8c1c7a9f10", "endToEndId": "K3V9Q2M7X1B4C8D5",
    "paymentId": "CNC-3f9a1c2b7d4e", "status": "COMPLETED", "amount": "125.00",
    "currency": "USD", "occurredAt": "2026-01-05T10:00:03Z", "statusReason": None,
}


async def _receive(request: Request, rail: Rail) -> CallbackAck:
    settings: PayoutsSettings = request.app.state.settings
    raw = await request.body()
    if not verify(settings.webhook_secret, request.headers.get(TIMESTAMP_HEADER),
                  request.headers.get(SIGNATURE_HEADER), raw, time.time(),
                  tolerance_s=settings.callback_tolerance_s):
        CALLBACKS.labels(rail.value, "bad_signature").inc()
        log.warning("callback with a bad or stale signature refused")
        raise ProblemError(401, "invalid-signature", "Signature not valid",
                           "the callback's signature or timestamp does not verify")
    try:
        body = RailCallback.model_validate_json(raw)
        observation = OBSERVE[rail](body.status, body.reason_code)
    except (ValidationError, ProviderProtocolError) as exc:
        raise ProblemError(422, "validation-error", "Request is not valid",
                           f"callback body is not valid: {exc}"[:300]) from exc
    callback = ProviderCallback(
        rail=rail, event_id=body.event_id, end_to_end_id=body.end_to_end_id,
        provider_reference=body.payment_id, observation=observation,
        provider_status=body.status, amount=Money(body.amount), currency=body.currency,
        reason=body.status_reason, reason_code=body.reason_code,
    )
    deps: Deps = request.app.state.deps
    try:
        result = await handle_callback(deps, callback)
    except UnknownAttemptError as exc:
        raise ProblemError(404, "unknown-end-to-end-id", "Unknown payment", str(exc)) from exc
    except CallbackMismatchError as exc:
        raise ProblemError(409, "callback-mismatch", "Callback does not match the payment",
                           str(exc)) from exc
    return CallbackAck(result=result)


@router.post(
    "/concourse", summary="Concourse payment status callback (HMAC-signed)",
    description=_DESCRIPTION, response_model=CallbackAck, responses=_RESPONSES,
    openapi_extra=_body_doc(ConcourseCallback.model_json_schema(by_alias=True), _EXAMPLE),
)
async def concourse_callback(request: Request) -> CallbackAck:
    return await _receive(request, Rail.CONCOURSE)


@router.post(
    "/zelle", summary="Zelle payment status callback (HMAC-signed)",
    description=_DESCRIPTION + " REJECTED carries an ISO 20022 `reasonCode` (BE23: not "
    "enrolled), which may start the configured fallback rail.",
    response_model=CallbackAck, responses=_RESPONSES,
    openapi_extra=_body_doc(RailCallback.model_json_schema(by_alias=True), {
        **_EXAMPLE, "paymentId": "ZEL-3f9a1c2b7d4e", "status": "REJECTED",
        "reasonCode": "BE23", "statusReason": "recipient is not enrolled in Zelle"}),
)
async def zelle_callback(request: Request) -> CallbackAck:
    return await _receive(request, Rail.ZELLE)


@router.post(
    "/check", summary="Check status callback: mailed, delivered, cashed, returned (HMAC-signed)",
    description=_DESCRIPTION + " CASHED pays the payout; RETURNED_TO_SENDER returns it; "
    "VOIDED/STOPPED cancel it (STOPPED with reasonCode STAL: stale, reissued).",
    response_model=CallbackAck, responses=_RESPONSES,
    openapi_extra=_body_doc(RailCallback.model_json_schema(by_alias=True), {
        **_EXAMPLE, "paymentId": "CHK-3f9a1c2b7d4e", "status": "CASHED",
        "checkNumber": 100231}),
)
async def check_callback(request: Request) -> CallbackAck:
    return await _receive(request, Rail.CHECK)
