"""Use cases of the BYOP team: open the job, record the pro's diagnosis and estimate, decide
coverage, record the invoice, and request payment (the claim then goes to Support Services)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.claims.adapters.orm import ByopCaseRow, ServiceJobRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.byop import ByopStage, ServicePro, reimbursement
from services.claims.domain.claim import ClaimKind
from services.claims.domain.errors import NotByopJob
from services.claims.domain.events import noted
from services.claims.domain.work import Channel, JobAction, JobKind
from services.claims.service import limits
from services.claims.service.claim_open import open_claim
from services.claims.service.claim_views import ClaimView, claim_view
from services.claims.service.context import ServiceContext, ensure_visible
from services.claims.service.work import NewOrder, open_request
from shared.auth import Principal
from shared.idempotency import Answer, IdempotencyKey
from shared.money import Money

Render = Callable[[ClaimView], dict[str, Any]]


@dataclass(frozen=True)
class ByopView:
    case: ByopCaseRow
    job: ServiceJobRow
    customer_id: str
    claim_id: uuid.UUID | None


async def open_byop_job(
    app: ServiceContext, actor: Principal, contract_id: uuid.UUID, covered_item_id: uuid.UUID,
    problem: str,
) -> ByopView:
    """The BYOP agent confirms the covered item, creates the job and authorizes the customer
    to schedule their own pro."""
    async with app.uow() as uow:
        contract = await uow.contracts.get(contract_id, items=True)
        _, [(_, job)] = await open_request(uow, actor, contract, Channel.PHONE,
                                           [NewOrder(covered_item_id, problem)], [JobKind.BYOP])
        now = utcnow()
        uow.record(*job.act(JobAction.ACCEPT, actor=actor.subject, reason=None, at=now))
        uow.byop.add(ByopCaseRow(job_id=job.id, stage=ByopStage.AUTHORIZED_TO_SCHEDULE))
        uow.record(noted(job.id, actor.subject,
                         "Customer authorized to schedule their own service pro (BYOP).", now))
        await uow.commit()
    return await get_byop(app, actor, job.id)


async def record_diagnosis(
    app: ServiceContext, actor: Principal, job_id: uuid.UUID, pro: ServicePro, diagnosis: str,
    estimate: Money,
) -> ByopView:
    async with app.uow() as uow:
        case = await uow.byop.get(job_id, lock=True)
        uow.record(*case.record_diagnosis(pro, diagnosis, estimate, actor=actor.subject,
                                          at=utcnow()))
        await uow.commit()
    return await get_byop(app, actor, job_id)


async def decide_coverage(
    app: ServiceContext, actor: Principal, job_id: uuid.UUID, authorized: Money | None, reason: str
) -> ByopView:
    """A covered amount (within the estimate and the contract's remaining limits) authorizes
    the repair; no amount denies coverage, with the reason."""
    async with app.uow() as uow:
        case = await uow.byop.get(job_id, lock=True)
        _, request = await uow.jobs.context(job_id)
        book = await limits.book(uow, await uow.contracts.get(request.contract_id))
        uow.record(*case.decide(
            authorized, reason,
            within_limits=book.limits.per_claim_cap.min(book.remaining_aggregate),
            actor=actor.subject, at=utcnow(),
        ))
        await uow.commit()
    return await get_byop(app, actor, job_id)


async def record_completion(
    app: ServiceContext, actor: Principal, job_id: uuid.UUID, invoice: Money
) -> ByopView:
    """The pro's detailed invoice and the payment form arrived: the work is done."""
    async with app.uow() as uow:
        case = await uow.byop.get(job_id, lock=True)
        now = utcnow()
        uow.record(*case.record_completion(invoice, actor=actor.subject, at=now))
        job = await uow.jobs.get(job_id, lock=True)
        uow.record(*job.act(JobAction.COMPLETE, actor=actor.subject, reason=None, at=now))
        await uow.commit()
    return await get_byop(app, actor, job_id)


async def request_payment(
    app: ServiceContext, actor: Principal, job_id: uuid.UUID, *, render: Render,
    idempotency: IdempotencyKey | None = None,
) -> dict[str, Any]:
    """Open the reimbursement claim: the authorized amount (at most the invoice) less the
    deductible, reviewed by Support Services under an OUTNTWRKFRR exception. Returns the
    rendered claim; with an Idempotency-Key a repeat returns the first answer, not a 409."""
    async with app.uow() as uow:
        if idempotency is not None and (stored := await uow.keys.replay(idempotency)) is not None:
            return stored.body
        case = await uow.byop.get(job_id, lock=True)
        uow.record(*case.request_payment(actor=actor.subject, at=utcnow()))
        job = await uow.jobs.get(job_id, lock=True)
        order, request = await uow.jobs.context(job_id)
        contract = await uow.contracts.get(request.contract_id, items=True)
        item = next(i for i in contract.items if i.id == order.covered_item_id)
        assert case.authorized is not None and case.invoice is not None  # stage guarantees it
        deductible = limits.limits_of(contract).deductible_for(item.kind.value)
        amounts = reimbursement(authorized=Money(case.authorized), invoice=Money(case.invoice),
                                deductible=deductible)
        claim = await open_claim(uow, actor=actor.subject, job=job, contract=contract,
                                 item=item.kind, kind=ClaimKind.BYOP_REIMBURSEMENT,
                                 amounts=amounts)
        uow.record(noted(job_id, actor.subject,
                         f"Payment requested: ${amounts.gross} authorized less "
                         f"${amounts.deductible} deductible = ${amounts.payable}.", utcnow()))
        body = render(await claim_view(uow, claim))
        if idempotency is not None:
            await uow.keys.remember(idempotency, Answer(201, body))
        await uow.commit()
    return body


async def get_byop(app: ServiceContext, viewer: Principal, job_id: uuid.UUID) -> ByopView:
    async with app.uow() as uow:
        job = await uow.jobs.get(job_id)
        _, request = await uow.jobs.context(job_id)
        # Visibility first: a stranger must not learn that a (non-BYOP) job exists.
        ensure_visible(viewer, request.customer_id, "BYOP job", job_id)
        if job.kind is not JobKind.BYOP:
            raise NotByopJob(f"job {job_id} is not a BYOP job")
        case = await uow.byop.get(job_id)
        claim = await uow.claims.of_job(job_id)
    return ByopView(case, job, request.customer_id, claim.id if claim else None)

