"""``/v1/payouts``: what happened to a payout, for payables, ops, support services and services."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.payouts.api.schemas import PayoutDetail, PayoutList, PayoutSummary
from services.payouts.domain.model import PayoutStatus
from services.payouts.service.queries import get_payout, list_payouts
from shared.auth import Principal, Role
from shared.auth.fastapi import require
from shared.problems import ProblemError, problem_responses

router = APIRouter(prefix="/v1/payouts", tags=["payouts"])

Reader = Annotated[
    Principal, Depends(require(Role.PAYABLES, Role.OPS, Role.SUPPORT_SERVICES, Role.SERVICE))
]

_DETAIL_EXAMPLE = {
    "id": "0b8f5a9e-4f5c-4e0b-9a53-3f8f5f0d2a11",
    "payout_key": "claim:7f1c2a:claim_credit",
    "source": {"claim_id": "7f1c2a", "service_job_id": "j-1", "contract_id": "c-1",
               "kind": "claim_credit"},
    "amount": "125.00",
    "currency": "USD",
    "rail": "concourse",
    "payee": {"kind": "customer", "name": "Jane Doe", "email": "j***@gmail.com",
              "mobile": "********0100"},
    "memo": "Claim credit 7f1c2a",
    "status": "paid",
    "status_reason": None,
    "created_at": "2026-01-05T10:00:00Z",
    "updated_at": "2026-01-05T10:00:03Z",
    "history": [
        {"from_status": None, "to_status": "received", "action": "receive", "reason": None,
         "attempt_id": None, "actor": "ss-1", "occurred_at": "2026-01-05T10:00:00Z"},
        {"from_status": "received", "to_status": "approved",
         "action": "approve_automatically", "reason": None, "attempt_id": None,
         "actor": "payouts", "occurred_at": "2026-01-05T10:00:00Z"},
        {"from_status": "approved", "to_status": "submitted", "action": "provider_accepted",
         "reason": None, "attempt_id": "K3V9Q2M7X1B4C8D5", "actor": "dispatcher",
         "occurred_at": "2026-01-05T10:00:01Z"},
        {"from_status": "submitted", "to_status": "paid", "action": "provider_completed",
         "reason": None, "attempt_id": "K3V9Q2M7X1B4C8D5", "actor": "concourse-callback",
         "occurred_at": "2026-01-05T10:00:03Z"},
    ],
    "attempts": [
        {"id": "K3V9Q2M7X1B4C8D5", "number": 1, "status": "paid", "amount": "125.00",
         "provider_reference": "CNC-3f9a1c2b7d4e", "provider_status": "completed",
         "status_reason": None, "sends": 1, "checks": 0,
         "created_at": "2026-01-05T10:00:01Z", "updated_at": "2026-01-05T10:00:03Z"},
    ],
}


def _not_found(payout_id: uuid.UUID) -> ProblemError:
    return ProblemError(404, "payout-not-found", "Payout not found",
                        f"no payout has id {payout_id}")


@router.get(
    "/{payout_id}",
    summary="One payout with its status history and attempts",
    description="The payee's email and phone are masked. Attempts are numbered; an attempt's "
    "id is the endToEndId the provider knows it by.",
    response_model=PayoutDetail,
    responses={
        200: {"content": {"application/json": {"example": _DETAIL_EXAMPLE}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def read_payout(payout_id: uuid.UUID, request: Request, _: Reader) -> PayoutDetail:
    view = await get_payout(request.app.state.sessionmaker, payout_id)
    if view is None:
        raise _not_found(payout_id)
    return PayoutDetail.of_view(view)


@router.get(
    "",
    summary="Payouts by payout key and/or status, newest first",
    response_model=PayoutList,
    responses={
        200: {"content": {"application/json": {"example": {"items": [
            {k: v for k, v in _DETAIL_EXAMPLE.items() if k not in ("history", "attempts")}
        ]}}}},
        **problem_responses(401, 403, 422),
    },
)
async def search_payouts(
    request: Request,
    _: Reader,
    payout_key: Annotated[str | None, Query(max_length=120,
                                            examples=["claim:7f1c2a:claim_credit"])] = None,
    status: Annotated[PayoutStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PayoutList:
    rows = await list_payouts(
        request.app.state.sessionmaker, payout_key=payout_key,
        status=status.value if status else None, limit=limit,
    )
    return PayoutList(items=[PayoutSummary.of(row) for row in rows])
