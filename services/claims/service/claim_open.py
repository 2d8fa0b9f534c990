"""Opening a claim: created Saved, submitted at once, and put in front of Support Services with
an SS-Claim Credit Review exception on its job (or rejected when nothing is payable)."""

from __future__ import annotations

import uuid

from services.claims.adapters.orm import ClaimRow, ContractRow, JobExceptionRow, ServiceJobRow
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.claim import Amounts, ClaimKind, ClaimStatus
from services.claims.domain.contract import ItemKind
from services.claims.domain.errors import NoActiveJob
from services.claims.domain.review import ExceptionStatus, ExceptionType, review_comment
from services.claims.domain.work import CLAIMABLE_JOB_STATUSES
from shared.money import Money


async def open_claim(
    uow: ClaimsUnitOfWork,
    *,
    actor: str,
    job: ServiceJobRow,
    contract: ContractRow,
    item: ItemKind,
    kind: ClaimKind,
    amounts: Amounts,
) -> ClaimRow:
    if job.status not in CLAIMABLE_JOB_STATUSES:
        raise NoActiveJob(f"job {job.id} is {job.status.value}; a claim needs a live job")
    claim = ClaimRow(
        id=uuid.uuid4(), job_id=job.id, contract_id=contract.id,
        customer_id=contract.customer_id, kind=kind, status=ClaimStatus.SAVED,
        gross=amounts.gross.amount, deductible=amounts.deductible.amount,
        payable=amounts.payable.amount, created_by=actor,
    )
    now = utcnow()
    uow.record(*claim.open(amounts, actor=actor, at=now))
    await uow.claims.add(claim)
    if claim.status is ClaimStatus.UNDER_REVIEW:
        comment = review_comment(
            byop=kind is ClaimKind.BYOP_REIMBURSEMENT, item=item, amount=amounts.payable,
            per_claim_cap=Money(contract.per_claim_cap),
        )
        review = JobExceptionRow(
            id=uuid.uuid4(), job_id=job.id, claim_id=claim.id,
            type=ExceptionType.SS_CLAIM_CREDIT_REVIEW, comment_code=comment,
            status=ExceptionStatus.OPEN, opened_by=actor,
        )
        await uow.exceptions.add(review)
        uow.record(*review.opened(actor=actor, at=now, claim_id=claim.id))
    return claim
