"""``/v1/payouts``: what happened to a payout, for payables, ops, support services and services."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.payouts.adapters.search import Cursor, InvalidCursorError, SearchCriteria
from services.payouts.api.deps import Reader
from services.payouts.api.schemas import (
    AtRiskList,
    PayoutDetail,
    PayoutList,
    PayoutSummary,
)
from services.payouts.domain.model import PayoutStatus, Rail
from services.payouts.service.context import ServiceContext
from services.payouts.service.queries import get_payout, list_payouts, payouts_at_risk
from shared.clock import synced
from shared.headers import NO_NUL
from shared.instants import INSTANT_DESCRIPTION, Instant
from shared.problems import ProblemError, problem_responses

router = APIRouter(prefix="/v1/payouts", tags=["payouts"])


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


_SUMMARY_EXAMPLE = {k: v for k, v in _DETAIL_EXAMPLE.items() if k not in ("history", "attempts")}


@router.get(
    "",
    summary="Payouts filtered by key, status, rail, payee, claim and date; newest first",
    description="Cursor pagination: pass the `next_cursor` of a page as `cursor` to get the "
    "next one (absent on the last page). `payee` matches the email, mobile or Zelle token the "
    "payout pays, or the payee's name (case-insensitive, exact).",
    response_model=PayoutList,
    responses={
        200: {"content": {"application/json": {"example": {
            "items": [_SUMMARY_EXAMPLE], "next_cursor": "eyJjIjogIjIwMjYtMDEtMDVUMTA6MDA6MDBa"}}}},
        **problem_responses(400, 401, 403, 422),
    },
)
async def search_payouts(
    request: Request,
    _: Reader,
    payout_key: Annotated[str | None, Query(max_length=120, pattern=NO_NUL,
                                            examples=["claim:7f1c2a:claim_credit"])] = None,
    status: Annotated[PayoutStatus | None, Query()] = None,
    rail: Annotated[Rail | None, Query()] = None,
    payee: Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                       examples=["pat@fixit-pros.net"])] = None,
    claim_id: Annotated[uuid.UUID | None, Query(
        description="The claims service's claim id (a UUID; anything else is a 422).",
        examples=["7f1c2a9e-3b4d-4c5e-8f60-1a2b3c4d5e6f"])] = None,
    created_from: Annotated[Instant | None, Query(examples=["2026-01-01T00:00:00Z"],
                                                  description=INSTANT_DESCRIPTION)] = None,
    created_to: Annotated[Instant | None, Query(examples=["2026-02-01T00:00:00Z"],
                                                description=INSTANT_DESCRIPTION)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PayoutList:
    try:
        after = Cursor.decode(cursor) if cursor else None
    except InvalidCursorError as exc:
        raise ProblemError(400, "invalid-cursor", "Cursor not valid", str(exc)) from exc
    criteria = SearchCriteria(
        limit=limit, payout_key=payout_key, status=status.value if status else None,
        rail=rail.value if rail else None, payee=payee,
        claim_id=None if claim_id is None else str(claim_id),
        created_from=created_from, created_to=created_to, cursor=after,
    )
    page = await list_payouts(request.app.state.context, criteria)
    return PayoutList(items=[PayoutSummary.of(row) for row in page.items],
                      next_cursor=page.next_cursor)


@router.get(
    "/at-risk",
    summary="Promised payouts (Zelle to service pros: 24 h) not paid and near or past deadline",
    description="Every payout with a deadline within `within_hours` (default "
    "PAYOUTS_SLA_AT_RISK_HOURS) that is not final yet, breached ones first.",
    response_model=AtRiskList,
    responses=problem_responses(401, 403, 422),
)
async def at_risk(
    request: Request,
    _: Reader,
    within_hours: Annotated[float | None, Query(gt=0, le=720)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AtRiskList:
    app: ServiceContext = request.app.state.context
    hours = within_hours or app.settings.sla_at_risk_hours
    now = await synced(app.clock, request.app.state.sessionmaker)
    rows = await payouts_at_risk(app, now + timedelta(hours=hours), limit)
    return AtRiskList.of(rows, now)


@router.get(
    "/{payout_id}",
    summary="One payout with its status history and attempts",
    description="The payee's email, phone, Zelle token and street address are masked. "
    "Attempts are numbered; an attempt's id is the endToEndId the provider knows it by.",
    response_model=PayoutDetail,
    responses={
        200: {"content": {"application/json": {"example": _DETAIL_EXAMPLE}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def read_payout(payout_id: uuid.UUID, request: Request, _: Reader) -> PayoutDetail:
    view = await get_payout(request.app.state.context, payout_id)
    if view is None:
        raise _not_found(payout_id)
    return PayoutDetail.of_view(view)
