"""Use cases of Support Services on a claim under review: approve it for payment, or reject it.

Approving commits, in one transaction, the claim's new status, the payout record with its key
and the ``payouts.request_payout`` command in the outbox: the command is sent if and only if the
approval stands, and the key makes every redelivery of it the same payout.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters import repository as repo
from services.claims.adapters.orm import ClaimPayoutRow, ClaimRow, JobExceptionRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.approval import Approval
from services.claims.domain.claim import CLAIM_MACHINE, ClaimAction, ClaimFacts
from services.claims.domain.payout import PayoutStatus, payout_key, payout_memo
from services.claims.domain.review import EXCEPTION_MACHINE, ExceptionAction
from services.claims.service import audit, limits
from services.claims.service.claim_views import ClaimView, claim_view, claim_view_with
from services.claims.service.context import Claims, is_supervisor
from services.claims.service.idempotency import IdempotencyKey, remember, replay
from shared.auth import Principal
from shared.messaging.contracts import (
    MailingAddress,
    Payee,
    PayeeKind,
    PayoutSource,
    Rail,
    RequestPayoutV1,
)
from shared.money import Money

Render = Callable[[ClaimView], dict[str, Any]]


async def approve_claim(
    app: Claims,
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
        session = uow.session
        if (stored := await replay(session, idempotency)) is not None:
            return stored
        contract, claim = await repo.lock_claim(session, claim_id)
        book = await limits.book(session, contract)
        approval = Approval(
            approver=actor.subject, supervisor=is_supervisor(actor), override=override,
            approval_limit=app.policy.approval_limit, per_claim_cap=book.limits.per_claim_cap,
            remaining_aggregate=book.remaining_aggregate,
        )
        payable = Money(claim.payable)
        review = await repo.open_review_row(session, claim.job_id)
        facts = ClaimFacts(
            payable=payable, created_by=claim.created_by, review_open=review is not None,
            payment_selected=claim.rail is not None,
            payment_confirmed=claim.terms_accepted_at is not None, approval=approval,
        )
        before, claim.status = claim.status, CLAIM_MACHINE.fire(
            claim.status, ClaimAction.APPROVE, facts
        )
        claim.approved_by, claim.approved_at = actor.subject, utcnow()
        claim.updated_at = claim.approved_at
        claim.payout_sequence += 1
        payout = _payout_record(claim, actor.subject)
        holds = limits.reserve(session, book, claim, actor.subject)
        await repo.approve(session, claim, payout, holds)
        uow.emit(_request_payout(claim, payout, actor.subject))
        audit.record(
            session, entity="claim", entity_id=claim.id, job_id=claim.job_id, action="approve",
            actor=actor.subject, from_status=before, to_status=claim.status,
            override=approval.needs_override(payable) or None, payout_key=payout.payout_key,
            amount=str(payable), rail=payout.rail.value,
        )
        if note:
            audit.note(session, claim.job_id, actor.subject, note)
        body = render(await _approved_view(session, claim, payout, review))
        await remember(session, idempotency, 200, body)
        await uow.commit()
        return body


async def reject_claim(
    app: Claims, actor: Principal, claim_id: uuid.UUID, reason: str
) -> ClaimView:
    """Rejecting ends the review: the claim is Rejected and its exception Complete."""
    async with app.uow(correlation_id=str(claim_id)) as uow:
        session = uow.session
        claim = await repo.claim(session, claim_id, lock=True)
        facts = ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by)
        before, claim.status = claim.status, CLAIM_MACHINE.fire(
            claim.status, ClaimAction.REJECT, facts
        )
        claim.rejected_reason, claim.updated_at = reason, utcnow()
        audit.record(session, entity="claim", entity_id=claim.id, job_id=claim.job_id,
                     action="reject", actor=actor.subject, from_status=before,
                     to_status=claim.status, reason=reason)
        review = await repo.open_review(session, claim.job_id)
        if review is not None:
            was, review.status = review.status, EXCEPTION_MACHINE.fire(
                review.status, ExceptionAction.COMPLETE, None
            )
            review.updated_at = utcnow()
            audit.record(session, entity="exception", entity_id=review.id, job_id=claim.job_id,
                         action="complete", actor=actor.subject, from_status=was,
                         to_status=review.status, reason="claim rejected")
        view = await claim_view(session, claim)
        await uow.commit()
    return view


async def _approved_view(
    session: AsyncSession, claim: ClaimRow, payout: ClaimPayoutRow, review: JobExceptionRow | None
) -> ClaimView:
    # Payouts are only ever created here, one per approval: on a first approval the new one
    # is the claim's only payout, and reading them back would cost a statement for nothing.
    if claim.payout_sequence == 1:
        return ClaimView(claim, [payout], review)
    return await claim_view_with(session, claim, review)


def _payout_record(claim: ClaimRow, approver: str) -> ClaimPayoutRow:
    """The new payout as ``repo.approve`` stores it (requested when the claim was approved)."""
    assert claim.rail is not None  # the approve guard requires a selected payment option
    return ClaimPayoutRow(
        payout_key=payout_key(claim.id, claim.payout_sequence), claim_id=claim.id,
        amount=claim.payable, rail=claim.rail, status=PayoutStatus.REQUESTED,
        requested_by=approver, requested_at=claim.approved_at, updated_at=claim.approved_at,
        payout_id=None, attempt_id=None, provider_reference=None, failure_reason=None,
    )


def _request_payout(claim: ClaimRow, payout: ClaimPayoutRow, approver: str) -> RequestPayoutV1:
    assert claim.payee_role is not None and claim.payee_name is not None
    address = None
    if claim.payee_address_line1 and claim.payee_address_city and claim.payee_address_state \
            and claim.payee_address_zip:
        address = MailingAddress(
            line1=claim.payee_address_line1, line2=claim.payee_address_line2,
            city=claim.payee_address_city, state=claim.payee_address_state,
            zip=claim.payee_address_zip,
        )
    return RequestPayoutV1(
        payout_key=payout.payout_key,
        source=PayoutSource(
            claim_id=str(claim.id), service_job_id=str(claim.job_id),
            contract_id=str(claim.contract_id), kind=claim.kind.value,
        ),
        amount=payout.amount,
        rail=Rail(payout.rail.value),
        payee=Payee(
            kind=PayeeKind(claim.payee_role.value), name=claim.payee_name,
            email=claim.payee_email, mobile=claim.payee_mobile, address=address,
            zelle_token=claim.payee_zelle_token,
        ),
        memo=payout_memo(claim.id),
        requested_by=approver,
    )
