"""BYOP jobs: the BYOP team's steps from initiation to the payment request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.claims.api.deps import ByopAgent, ContextDep, Id, Reader
from services.claims.api.errors import problems
from services.claims.api.schemas.byop import (
    ByopOpenIn,
    ByopOut,
    CompletionIn,
    DecisionIn,
    DiagnosisIn,
)
from services.claims.api.schemas.claims import ClaimOut
from services.claims.service import byop
from shared import headers
from shared.idempotency import IdempotencyKey
from shared.money import Money

router = APIRouter(prefix="/v1/byop-jobs", tags=["byop"])


@router.post(
    "", status_code=201, summary="Open a BYOP job",
    description="Confirms the covered item on an active contract, creates the service job and "
    "authorizes the customer to schedule their own service pro.",
    response_description="The BYOP job", responses=problems(403, 404, 409),
)
async def open_byop_job(body: ByopOpenIn, app: ContextDep, actor: ByopAgent) -> ByopOut:
    view = await byop.open_byop_job(app, actor, body.contract_id, body.covered_item_id,
                                    body.problem)
    return ByopOut.of(view)


@router.get(
    "/{job_id}", summary="Read a BYOP job", response_description="The BYOP job",
    responses=problems(404, 409),
)
async def get_byop_job(job_id: Id, app: ContextDep, viewer: Reader) -> ByopOut:
    return ByopOut.of(await byop.get_byop(app, viewer, job_id))


@router.post(
    "/{job_id}/diagnosis", summary="Record the pro's diagnosis and estimate",
    response_description="The BYOP job, Diagnosed", responses=problems(403, 404, 409),
)
async def record_diagnosis(
    job_id: Id, body: DiagnosisIn, app: ContextDep, actor: ByopAgent
) -> ByopOut:
    view = await byop.record_diagnosis(app, actor, job_id, body.service_pro.to_domain(),
                                       body.diagnosis, Money(body.estimate))
    return ByopOut.of(view)


@router.post(
    "/{job_id}/decision", summary="Authorize a covered amount, or deny coverage",
    description="The covered amount may not exceed the estimate.",
    response_description="The BYOP job, Repair authorized or Denied",
    responses=problems(403, 404, 409),
)
async def decide(job_id: Id, body: DecisionIn, app: ContextDep, actor: ByopAgent) -> ByopOut:
    amount = None if body.authorized_amount is None else Money(body.authorized_amount)
    return ByopOut.of(await byop.decide_coverage(app, actor, job_id, amount, body.reason))


@router.post(
    "/{job_id}/completion", summary="Record the invoice: the work is done",
    response_description="The BYOP job, Completed", responses=problems(403, 404, 409),
)
async def record_completion(
    job_id: Id, body: CompletionIn, app: ContextDep, actor: ByopAgent
) -> ByopOut:
    view = await byop.record_completion(app, actor, job_id, Money(body.invoice_amount))
    return ByopOut.of(view)


@router.post(
    "/{job_id}/payment-request", status_code=201, summary="Request payment (send to payables)",
    description="Opens the reimbursement claim: the authorized amount, at most the invoice, "
    "less the deductible; Under Review with an SS-Claim Credit Review (OUTNTWRKFRR). With an "
    "Idempotency-Key a retry returns the first answer (without one, a repeat is a 409).",
    response_model=ClaimOut, response_description="The new claim",
    responses=problems(403, 404, 409),
)
async def request_payment(
    job_id: Id, app: ContextDep, actor: ByopAgent,
    idempotency_key: Annotated[str | None, headers.idempotency_key(
        "Unique per intended payment request; a repeat returns the first response, the same "
        "key on another job is refused (422).", "byop-7f1c2a-pay-1")] = None,
) -> JSONResponse:
    idem = None if idempotency_key is None else IdempotencyKey.of(
        actor.subject, idempotency_key, f"byop payment-request {job_id}", None)
    rendered = await byop.request_payment(app, actor, job_id, render=ClaimOut.render,
                                          idempotency=idem)
    return JSONResponse(rendered, status_code=201)
