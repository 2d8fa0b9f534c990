"""``POST /v1/callbacks/concourse``: provider status callbacks, authenticated by HMAC signature
over the raw body (not by a JWT: the provider has none)."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request
from pydantic import ValidationError

from services.payouts.api.schemas import CallbackAck, ConcourseCallback
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

_OBSERVATIONS = {
    "PENDING": Observation.PENDING,
    "COMPLETED": Observation.COMPLETED,
    "REJECTED": Observation.REJECTED,
    "RETURNED": Observation.RETURNED,
}


@router.post(
    "/concourse",
    summary="Concourse payment status callback (HMAC-signed)",
    description=f"Signed by the provider: `{TIMESTAMP_HEADER}: <unix seconds>` and "
    f"`{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256(secret, \"<timestamp>.\" + raw body)>`; "
    "timestamps older than the tolerance are refused. Repeats and out-of-order events answer "
    "200 without a second effect.",
    response_model=CallbackAck,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {
                "schema": ConcourseCallback.model_json_schema(by_alias=True),
                "example": {
                    "eventId": "5d0c7c2e-2b7e-4a59-9b0c-0d8c1c7a9f10",
                    "endToEndId": "K3V9Q2M7X1B4C8D5", "paymentId": "CNC-3f9a1c2b7d4e",
                    "status": "COMPLETED", "amount": "125.00", "currency": "USD",
                    "occurredAt": "2026-01-05T10:00:03Z", "statusReason": None,
                },
            }},
        }
    },
    responses={
        200: {"content": {"application/json": {"example": {"result": "applied"}}}},
        **problem_responses(401, 404, 409, 422),
    },
)
async def concourse_callback(request: Request) -> CallbackAck:
    settings: PayoutsSettings = request.app.state.settings
    raw = await request.body()
    if not verify(
        settings.webhook_secret,
        request.headers.get(TIMESTAMP_HEADER),
        request.headers.get(SIGNATURE_HEADER),
        raw,
        time.time(),
        tolerance_s=settings.callback_tolerance_s,
    ):
        CALLBACKS.labels(Rail.CONCOURSE.value, "bad_signature").inc()
        log.warning("callback with a bad or stale signature refused")
        raise ProblemError(401, "invalid-signature", "Signature not valid",
                           "the callback's signature or timestamp does not verify")
    try:
        body = ConcourseCallback.model_validate_json(raw)
    except ValidationError as exc:
        raise ProblemError(422, "validation-error", "Request is not valid",
                           f"callback body is not valid: {exc.error_count()} error(s)") from exc
    callback = ProviderCallback(
        rail=Rail.CONCOURSE,
        event_id=body.event_id,
        end_to_end_id=body.end_to_end_id,
        provider_reference=body.payment_id,
        observation=_OBSERVATIONS[body.status],
        provider_status=body.status,
        amount=Money(body.amount),
        currency=body.currency,
        reason=body.status_reason,
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
