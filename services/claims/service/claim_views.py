"""Reading claims: one claim with its payouts and review, a work queue, and the audit timeline."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.claims.adapters.orm import (
    AuditEventRow,
    ClaimPayoutRow,
    ClaimRow,
    JobExceptionRow,
    ServiceOrderRow,
)
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.claim import ClaimStatus
from services.claims.service.context import ServiceContext, ensure_visible, is_staff
from shared.auth import Principal


@dataclass(frozen=True)
class ClaimView:
    claim: ClaimRow
    payouts: Sequence[ClaimPayoutRow]
    review: JobExceptionRow | None


async def claim_view(uow: ClaimsUnitOfWork, claim: ClaimRow) -> ClaimView:
    """Build it before the unit of work commits: reading after the commit opens a transaction
    that the unit of work rolls back on exit, which would expire these rows."""
    return await claim_view_with(uow, claim, await uow.exceptions.open_review(claim.job_id))


async def claim_view_with(
    uow: ClaimsUnitOfWork, claim: ClaimRow, review: JobExceptionRow | None
) -> ClaimView:
    """``claim_view`` for a caller that read the claim's open review in this transaction."""
    return ClaimView(claim, await uow.claims.payouts(claim.id), review)


# The reads below open a unit of work they never commit: leaving it rolls the read back.


async def get_claim(app: ServiceContext, viewer: Principal, claim_id: uuid.UUID) -> ClaimView:
    async with app.uow() as uow:
        claim = await uow.claims.get(claim_id)
        ensure_visible(viewer, claim.customer_id, "claim", claim_id)
        return await claim_view(uow, claim)


async def list_claims(
    app: ServiceContext, viewer: Principal, status: ClaimStatus | None, limit: int
) -> Sequence[ClaimRow]:
    """Staff see the queue; a customer sees their own claims only."""
    customer = None if is_staff(viewer) else viewer.customer_id
    async with app.uow() as uow:
        return await uow.claims.queue(status=status, customer_id=customer, limit=limit)


async def claim_timeline(
    app: ServiceContext, viewer: Principal, claim_id: uuid.UUID
) -> Sequence[AuditEventRow]:
    """Everything that happened on the claim's job: the claim, its review, notes, the job."""
    async with app.uow() as uow:
        claim = await uow.claims.get(claim_id)
        ensure_visible(viewer, claim.customer_id, "claim", claim_id)
        return await uow.timeline.of_job(claim.job_id)


async def claim_of_order(app: ServiceContext, order: ServiceOrderRow) -> ClaimRow | None:
    """The latest claim on the order's jobs: what the Service Order screen shows as its Claim
    Credit (with the payment details once the payee selected them)."""
    async with app.uow() as uow:
        found = await uow.claims.of_jobs([job.id for job in order.jobs])
    return found[-1] if found else None
