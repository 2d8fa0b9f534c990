"""Use cases of Support Services on a claim under review: approve it for payment, or reject it.

Approving commits, in one transaction, the claim's new status, the payout record with its key
and the ``payouts.request_payout`` command in the outbox (the claim's approval announces it, the
unit of work sends it): the command is sent if and only if the approval stands, and the key
makes every redelivery of it the same payout.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from services.claims.adapters.orm import ClaimPayoutRow, ClaimRow, JobExceptionRow
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.approval import Approval
from services.claims.domain.claim import ClaimFacts
from services.claims.domain.events import noted
from services.claims.domain.review import ExceptionAction
from services.claims.service import limits
from services.claims.service.claim_views import ClaimView, claim_view, claim_view_with
from services.claims.service.context import ServiceContext, is_supervisor
from shared.auth import Principal
from shared.idempotency import Answer, IdempotencyKey
from shared.money import Money

Render = Callable[[ClaimView], dict[str, Any]]


async def approve_claim(
    app: ServiceContext,
    actor: Principal,
    claim_id: uuid.UUID,
    *,
    override: bool,
    note: str | None,
    idempotency: IdempotencyKey,
    render: Render,
) -> dict[str, Any]:
    """Returns the rendered response; a repeat with the same key returns the first one."""
    async with app.uow(correlation_id=str(claim_id)) as uow:
        if (stored := await uow.keys.replay(idempotency)) is not None:
            return stored.body
        contract, claim = await uow.claims.lock_claim(claim_id)
        book = await limits.book(uow, contract)
        approval = Approval(
            approver=actor.subject, supervisor=is_supervisor(actor), override=override,
            approval_limit=app.policy.approval_limit, per_claim_cap=book.limits.per_claim_cap,
            remaining_aggregate=book.remaining_aggregate,
        )
        review = await uow.exceptions.open_review_row(claim.job_id)
        facts = ClaimFacts(
            payable=Money(claim.payable), created_by=claim.created_by,
            review_open=review is not None, payment_selected=claim.rail is not None,
            payment_confirmed=claim.terms_accepted_at is not None, approval=approval,
        )
        now = utcnow()
        approved = claim.approve(facts, actor=actor.subject, at=now)  # requests the payout
        holds, reserved = limits.reserve(book, claim, actor.subject, now)
        payout = await uow.claims.approve(claim, holds)
        uow.record(*reserved, *approved)  # the timeline's order: the holds, then the claim
        if note:
            uow.record(noted(claim.job_id, actor.subject, note, now))
        body = render(await _approved_view(uow, claim, payout, review))
        await uow.keys.remember(idempotency, Answer(200, body))
        await uow.commit()
        return body


async def reject_claim(
    app: ServiceContext, actor: Principal, claim_id: uuid.UUID, reason: str
) -> ClaimView:
    """Rejecting ends the review: the claim is Rejected and its exception Complete."""
    async with app.uow(correlation_id=str(claim_id)) as uow:
        claim = await uow.claims.get(claim_id, lock=True)
        now = utcnow()
        uow.record(*claim.reject(reason, actor=actor.subject, at=now))
        review = await uow.exceptions.open_review(claim.job_id)
        if review is not None:
            uow.record(*review.move(ExceptionAction.COMPLETE, actor=actor.subject, at=now,
                                    reason="claim rejected"))
        view = await claim_view(uow, claim)
        await uow.commit()
    return view


async def _approved_view(
    uow: ClaimsUnitOfWork, claim: ClaimRow, payout: ClaimPayoutRow,
    review: JobExceptionRow | None,
) -> ClaimView:
    # Payouts are only ever created here, one per approval: on a first approval the new one
    # is the claim's only payout, and reading them back would cost a statement for nothing.
    if claim.payout_sequence == 1:
        return ClaimView(claim, [payout], review)
    return await claim_view_with(uow, claim, review)

