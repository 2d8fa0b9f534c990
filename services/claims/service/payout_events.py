"""Use case: the payouts service reports progress on a payout the claims service requested.

Submitted moves the claim to Transferred; Paid makes it Paid and completes its review exception;
Failed (confirmed: the money did not move) sends it back to Under Review with the exception in
Follow Up. A duplicate delivery is recorded in the inbox and ignored; a stale event (one the
payout record is already past) changes nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters import repository as repo
from services.claims.adapters.orm import ClaimPayoutRow, ClaimRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.claim import CLAIM_MACHINE, ClaimAction, ClaimFacts
from services.claims.domain.errors import PayoutConflict, UnknownPayout
from services.claims.domain.payout import PayoutEvent, PayoutStatus, advance
from services.claims.domain.review import EXCEPTION_MACHINE, ExceptionAction
from services.claims.service import audit
from services.claims.service.context import SYSTEM, Claims
from shared.messaging.contracts import PayoutFailedV1, PayoutPaidV1, PayoutSubmittedV1
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import first_delivery
from shared.money import Money

log = logging.getLogger(__name__)

CONSUMER = "claims.payout-events"
PayoutReport = PayoutSubmittedV1 | PayoutPaidV1 | PayoutFailedV1

_EVENT: dict[type[PayoutReport], tuple[PayoutEvent, ClaimAction]] = {
    PayoutSubmittedV1: (PayoutEvent.SUBMITTED, ClaimAction.PAYOUT_SUBMITTED),
    PayoutPaidV1: (PayoutEvent.PAID, ClaimAction.PAYOUT_PAID),
    PayoutFailedV1: (PayoutEvent.FAILED, ClaimAction.PAYOUT_FAILED),
}
# What the review exception does when the payout ends: done, or back to Support Services.
_REVIEW_ACTION = {PayoutEvent.PAID: ExceptionAction.COMPLETE,
                  PayoutEvent.FAILED: ExceptionAction.FOLLOW_UP}


async def apply_payout_event(app: Claims, envelope: Envelope, report: PayoutReport) -> bool:
    """Apply one delivery; True if it changed anything."""
    event, claim_action = _EVENT[type(report)]
    async with app.uow(correlation_id=envelope.correlation_id,
                       causation_id=str(envelope.message_id)) as uow:
        session = uow.session
        if not await first_delivery(session, CONSUMER, envelope):
            return False
        known = await session.get(ClaimPayoutRow, report.payout_key)
        if known is None:
            raise UnknownPayout(f"no payout has key {report.payout_key}")
        claim = await repo.claim(session, known.claim_id, lock=True)
        payout = await repo.payout(session, report.payout_key, lock=True)
        _ensure_same_payout(payout, report)
        target = advance(payout.status, event)
        if target is None:
            log.info("stale %s for payout %s ignored", event, payout.payout_key,
                     extra={"claim_id": claim.id, "message_id": envelope.message_id})
            await uow.commit()  # the inbox row: this delivery is handled
            return False
        _record(payout, target, report)
        facts = ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by)
        before, claim.status = claim.status, CLAIM_MACHINE.fire(claim.status, claim_action, facts)
        claim.updated_at = utcnow()
        audit.record(
            session, entity="claim", entity_id=claim.id, job_id=claim.job_id,
            action=claim_action.value, actor=SYSTEM, from_status=before, to_status=claim.status,
            payout_key=payout.payout_key, payout_id=report.payout_id,
            provider_reference=payout.provider_reference, reason=payout.failure_reason,
        )
        if event in _REVIEW_ACTION:
            await _move_review(session, claim, _REVIEW_ACTION[event])
        await uow.commit()
        return True


def _ensure_same_payout(payout: ClaimPayoutRow, report: PayoutReport) -> None:
    if Money(report.amount) != Money(payout.amount) or report.rail.value != payout.rail.value:
        raise PayoutConflict(
            f"payout {payout.payout_key} was requested as {payout.amount} by {payout.rail.value}"
            f" but reported as {report.amount} by {report.rail.value}"
        )


def _record(payout: ClaimPayoutRow, target: PayoutStatus, report: PayoutReport) -> None:
    payout.status, payout.updated_at = target, utcnow()
    payout.payout_id = report.payout_id
    payout.attempt_id = report.attempt_id or payout.attempt_id
    if isinstance(report, PayoutFailedV1):
        payout.failure_reason = report.reason[:500]
    else:
        payout.provider_reference = report.provider_reference or payout.provider_reference


async def _move_review(session: AsyncSession, claim: ClaimRow, action: ExceptionAction) -> None:
    review = await repo.open_review(session, claim.job_id)
    if review is None or not EXCEPTION_MACHINE.can(review.status, action):
        return  # e.g. already in Follow Up after an earlier failure
    before, review.status = review.status, EXCEPTION_MACHINE.fire(review.status, action, None)
    review.updated_at = utcnow()
    audit.record(session, entity="exception", entity_id=review.id, job_id=claim.job_id,
                 action=action.value, actor=SYSTEM, from_status=before, to_status=review.status,
                 claim_status=claim.status.value)
