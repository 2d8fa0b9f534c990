"""``/v1/payouts/{id}/{approve,reject,cancel,void,stop,resend-invitation}``: what payables and
ops may do
to a payout, each only where its status and rail allow it (409 otherwise, with the reason).

Each takes an ``Idempotency-Key``: a repeat with the same key and body replays the first
answer (no second effect); the same key with another body or on another payout is a 422."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.payouts.api.deps import Approver, ContextDep, Operator
from services.payouts.api.schemas import ActionRequest, PayoutDetail, StopRequest
from services.payouts.service import operations as ops
from services.payouts.service.context import ServiceContext
from shared import headers
from shared.auth import Principal
from shared.idempotency import Answer, IdempotencyKey
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/payouts", tags=["payout actions"])

IdempotencyHeader = Annotated[str, headers.idempotency_key(
    "Unique per intended action; a repeat returns the first response, a repeat with a "
    "different body (or on another payout) is refused (422).", "0b8f5a9e-action-1")]
_RESPONSES = problem_responses(401, 403, 404, 409, 422)
_REVOKE_RESPONSES = problem_responses(401, 403, 404, 409, 422, 503)
_KEYED = " Requires an Idempotency-Key."


def _once(who: Principal, key: str, action: str, payout_id: uuid.UUID,
          body: ActionRequest) -> ops.Once:
    idem = IdempotencyKey.of(who.subject, key, f"{action} {payout_id}",
                             body.model_dump(mode="json"))
    return ops.Once(idem, PayoutDetail.render)


async def _run(app: ServiceContext,
               use_case: Callable[[ServiceContext], Awaitable[Answer]]) -> JSONResponse:
    # A refusal is a domain error, answered by the handlers of ``api.errors``.
    answer = await use_case(app)
    return JSONResponse(answer.body, status_code=answer.status_code)


@router.post("/{payout_id}/approve", summary="Approve a payout held for approval",
             description="Payables only, and not the person who requested the payout. "
             "Announced as payout_decided, naming the approver." + _KEYED,
             response_model=PayoutDetail, responses=_RESPONSES)
async def approve(payout_id: uuid.UUID, body: ActionRequest, app: ContextDep,
                  who: Approver, idempotency_key: IdempotencyHeader) -> JSONResponse:
    once = _once(who, idempotency_key, "approve", payout_id, body)
    decision = ops.Decision(who.subject, body.reason)
    return await _run(app, lambda d: ops.approve(d, payout_id, decision, once))


@router.post("/{payout_id}/reject", summary="Reject a payout held for approval (ends it)",
             description="Payables only, not the requester. The payout ends `rejected`; "
             "announced as payout_decided (naming the approver), then payout_cancelled with "
             "final_status `rejected`." + _KEYED, response_model=PayoutDetail,
             responses=_RESPONSES)
async def reject(payout_id: uuid.UUID, body: ActionRequest, app: ContextDep,
                 who: Approver, idempotency_key: IdempotencyHeader) -> JSONResponse:
    once = _once(who, idempotency_key, "reject", payout_id, body)
    decision = ops.Decision(who.subject, body.reason)
    return await _run(app, lambda d: ops.reject(d, payout_id, decision, once))


@router.post("/{payout_id}/cancel", summary="Cancel a payout no provider holds yet",
             description="Received, held or approved payouts that no provider holds or may "
             "hold: no attempt yet, or only one that never reached the provider (`unsent`: "
             "connection refused, 429 or 503 on every try), which is withdrawn so it is never "
             "sent. A Concourse payment whose invitation the payee has not claimed is cancelled "
             "at the bank (`POST .../payments/{endToEndId}/cancellation`); the payout is "
             "cancelled once the bank answers CANCELLED, a payee who already registered is a "
             "409, no answer a 503. Any other attempt being sent, submitted or of unknown "
             "outcome (a timeout: settled by a status query first) is a 409. A check already "
             "issued is voided or stopped instead; Zelle is irrevocable." + _KEYED,
             response_model=PayoutDetail, responses=_REVOKE_RESPONSES)
async def cancel(payout_id: uuid.UUID, body: ActionRequest, app: ContextDep,
                 who: Operator, idempotency_key: IdempotencyHeader) -> JSONResponse:
    once = _once(who, idempotency_key, "cancel", payout_id, body)
    decision = ops.Decision(who.subject, body.reason)
    return await _run(app, lambda d: ops.cancel(d, payout_id, decision, once))


@router.post("/{payout_id}/void", summary="Void the check of a payout before it is mailed",
             description="Asks the check provider; the payout is cancelled once it confirms. "
             "A mailed check is refused (409): stop payment instead." + _KEYED,
             response_model=PayoutDetail, responses=_REVOKE_RESPONSES)
async def void(payout_id: uuid.UUID, body: ActionRequest, app: ContextDep,
               who: Operator, idempotency_key: IdempotencyHeader) -> JSONResponse:
    once = _once(who, idempotency_key, "void", payout_id, body)
    decision = ops.Decision(who.subject, body.reason)
    return await _run(app, lambda d: ops.void(d, payout_id, decision, once))


@router.post("/{payout_id}/stop", summary="Stop payment on a mailed check (and reissue)",
             description="Asks the check provider; once it confirms, the payout is cancelled, "
             "or with `reissue` a new check goes out (a new attempt; the stopped one can never "
             "be cashed). An unmailed check is voided instead (409)." + _KEYED,
             response_model=PayoutDetail, responses=_REVOKE_RESPONSES)
async def stop(payout_id: uuid.UUID, body: StopRequest, app: ContextDep,
               who: Operator, idempotency_key: IdempotencyHeader) -> JSONResponse:
    once = _once(who, idempotency_key, "stop", payout_id, body)
    decision = ops.Decision(who.subject, body.reason)
    return await _run(app,
                      lambda d: ops.stop(d, payout_id, decision, once, reissue=body.reissue))


@router.post("/{payout_id}/resend-invitation",
             summary="Resend the payee's Concourse invitation while it is unclaimed",
             description="Asks the bank to email the invitation again (`POST .../payments/"
             "{endToEndId}/invitation`), which restarts its unclaimed clock. Only for a "
             "Concourse payout whose payee has not registered yet: another rail, no invitation "
             "out, or a payee who registered (the bank refuses: 10008) is a 409; no answer from "
             "the bank a 503." + _KEYED,
             response_model=PayoutDetail, responses=_REVOKE_RESPONSES,
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {
                 "reason": "payee asked for the email again: it went to spam"}}}}})
async def resend_invitation(payout_id: uuid.UUID, body: ActionRequest, app: ContextDep,
                            who: Operator, idempotency_key: IdempotencyHeader) -> JSONResponse:
    once = _once(who, idempotency_key, "resend-invitation", payout_id, body)
    decision = ops.Decision(who.subject, body.reason)
    return await _run(app, lambda d: ops.resend_invitation(d, payout_id, decision, once))
