"""Use case: the payouts service reports progress on a payout the claims service requested.

Submitted moves the claim to Transferred; Paid makes it Paid, completes its review exception
and consumes the limit holds. Failed, Cancelled, Rejected or Expired (no money moved; the
claim's payout records the payouts service's own final status) and Returned (the money came
back) reopen the claim: Under Review, with its review exception in Follow Up (reopened if it
was complete) and the reason on the timeline; the holds are released, so a new approval
reserves again. An SLA breach is a timeline note for the team that must chase it, and an
approver's release or rejection of a payout held for approval (four eyes) is a timeline entry
naming the approver. A duplicate delivery is recorded in the inbox and ignored; a stale event
changes nothing.
"""

from __future__ import annotations

import logging
import uuid

from services.claims.adapters.orm import ClaimPayoutRow, ClaimRow, JobExceptionRow
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.claim import ClaimAction
from services.claims.domain.errors import PayoutConflict, UnknownPayout
from services.claims.domain.events import noted
from services.claims.domain.limits import HoldAction
from services.claims.domain.payment import PaymentRail
from services.claims.domain.payout import PayoutEvent, ended_without_money
from services.claims.domain.review import (
    ExceptionAction,
    ExceptionStatus,
    ExceptionType,
)
from services.claims.metrics import APPROVAL_TO_PAID, CLAIMS_PAID
from services.claims.service import limits
from services.claims.service.context import SYSTEM, ServiceContext
from shared.messaging.contracts import (
    PayoutCancelledV1,
    PayoutDecidedV1,
    PayoutFailedV1,
    PayoutPaidV1,
    PayoutReturnedV1,
    PayoutSlaBreachedV1,
    PayoutSubmittedV1,
)
from shared.messaging.envelope import Envelope
from shared.money import Money

log = logging.getLogger(__name__)

CONSUMER = "claims.payout-events"
PayoutProgress = (
    PayoutSubmittedV1 | PayoutPaidV1 | PayoutFailedV1 | PayoutCancelledV1 | PayoutReturnedV1
)
PayoutReport = PayoutProgress | PayoutSlaBreachedV1 | PayoutDecidedV1
REPORTS = (PayoutSubmittedV1, PayoutPaidV1, PayoutFailedV1, PayoutCancelledV1, PayoutReturnedV1,
           PayoutSlaBreachedV1, PayoutDecidedV1)

_EVENT: dict[type[PayoutProgress], tuple[PayoutEvent, ClaimAction]] = {
    PayoutSubmittedV1: (PayoutEvent.SUBMITTED, ClaimAction.PAYOUT_SUBMITTED),
    PayoutPaidV1: (PayoutEvent.PAID, ClaimAction.PAYOUT_PAID),
    PayoutFailedV1: (PayoutEvent.FAILED, ClaimAction.PAYOUT_FAILED),
    PayoutCancelledV1: (PayoutEvent.CANCELLED, ClaimAction.PAYOUT_CANCELLED),
    PayoutReturnedV1: (PayoutEvent.RETURNED, ClaimAction.PAYOUT_RETURNED),
}
# The limit holds when the payout ends: spent, or given back to the plan.
_HOLD_ACTION = {PayoutEvent.PAID: HoldAction.CONSUME, PayoutEvent.FAILED: HoldAction.RELEASE,
                PayoutEvent.CANCELLED: HoldAction.RELEASE, PayoutEvent.REJECTED: HoldAction.RELEASE,
                PayoutEvent.EXPIRED: HoldAction.RELEASE, PayoutEvent.RETURNED: HoldAction.RELEASE}
_REOPENING = frozenset({PayoutEvent.FAILED, PayoutEvent.CANCELLED, PayoutEvent.REJECTED,
                        PayoutEvent.EXPIRED, PayoutEvent.RETURNED})


def event_of(report: PayoutProgress) -> tuple[PayoutEvent, ClaimAction]:
    """What the report does to the claim's payout record and to the claim."""
    event, claim_action = _EVENT[type(report)]
    if isinstance(report, PayoutCancelledV1):
        event = ended_without_money(report.final_status)
    return event, claim_action


async def apply_payout_event(
    app: ServiceContext, envelope: Envelope, report: PayoutReport
) -> bool:
    """Apply one delivery; True if it changed anything."""
    async with app.uow(caused_by=envelope) as uow:
        if not await uow.first_delivery(CONSUMER, envelope):
            return False
        # Lock order: contract (the holds' lock), claim, payout; all found by the payout key.
        if (locked := await uow.claims.lock_payout(report.payout_key)) is None:
            raise UnknownPayout(f"no payout has key {report.payout_key}")
        claim, payout = locked
        _ensure_same_payout(claim, payout, report)
        rail_moved = _follow_rail(uow, claim, payout, report)
        if isinstance(report, PayoutSlaBreachedV1):
            _note_sla_breach(uow, claim, payout, report)
            changed, saved = True, False
        elif isinstance(report, PayoutDecidedV1):
            _record_decision(uow, claim, payout, report)
            changed, saved = True, False
        else:
            changed = saved = await _progress(uow, claim, payout, report)
        if rail_moved and not saved:
            await uow.claims.save_payout(payout)  # the rail moved on stale or SLA news
        await uow.commit()  # with the inbox row, even when the event was stale
    if changed and isinstance(report, PayoutPaidV1):
        CLAIMS_PAID.labels(claim.kind.value).inc()
        if claim.approved_at is not None:
            APPROVAL_TO_PAID.observe((utcnow() - claim.approved_at).total_seconds())
    return changed


async def _progress(
    uow: ClaimsUnitOfWork, claim: ClaimRow, payout: ClaimPayoutRow, report: PayoutProgress
) -> bool:
    """True if the event moved the payout (then written with the claim), False if stale."""
    event, claim_action = event_of(report)
    now = utcnow()
    failure, reference = (
        (report.reason, None)
        if isinstance(report, PayoutFailedV1 | PayoutCancelledV1 | PayoutReturnedV1)
        else (None, report.provider_reference)
    )
    if not payout.advance(event, payout_id=report.payout_id,
                          attempt_id=getattr(report, "attempt_id", None), at=now,
                          failure_reason=failure, provider_reference=reference):
        log.info("stale %s for payout %s ignored", event, payout.payout_key,
                 extra={"claim_id": claim.id})
        return False
    moved = claim.follow_payout(claim_action, payout, actor=SYSTEM, at=now,
                                final_status=getattr(report, "final_status", None))
    await uow.claims.save_payout(payout, claim)
    uow.record(*moved)
    if event in _HOLD_ACTION:
        await limits.settle(uow, claim, _HOLD_ACTION[event], SYSTEM, payout.failure_reason)
    if event is PayoutEvent.PAID:
        await _move_review(uow, claim, ExceptionAction.COMPLETE,
                           await uow.exceptions.open_review_row(claim.job_id))
    elif event in _REOPENING:
        await _reopen_review(uow, claim, payout.failure_reason)
    return True


def _ensure_same_payout(claim: ClaimRow, payout: ClaimPayoutRow, report: PayoutReport) -> None:
    """The report must be about the payout this claim requested: an authentic message is still
    refused when it contradicts the record (another claim, another amount, another payout)."""
    # The amount is what we owe and must never differ. The rail may: payouts falls back (a
    # Zelle payee who is not enrolled is mailed a check), which _follow_rail records.
    if Money(report.amount) != Money(payout.amount):
        raise PayoutConflict(
            f"payout {payout.payout_key} was requested as {payout.amount} by {payout.rail.value}"
            f" but reported as {report.amount} by {report.rail.value}"
        )
    if report.source.claim_id != str(claim.id):
        raise PayoutConflict(f"payout {payout.payout_key} belongs to claim {claim.id}, the "
                             f"report names claim {report.source.claim_id}")
    if payout.payout_id is not None and report.payout_id != payout.payout_id:
        raise PayoutConflict(f"payout {payout.payout_key} is payout {payout.payout_id} in the "
                             f"payouts service, the report names {report.payout_id}")


def _follow_rail(uow: ClaimsUnitOfWork, claim: ClaimRow, payout: ClaimPayoutRow,
                 report: PayoutReport) -> bool:
    """True if the payout's rail moved (written with its progress, or on its own)."""
    if report.rail.value == payout.rail.value:
        return False
    uow.record(noted(claim.job_id, SYSTEM,
                     f"Payout {payout.payout_key} moved from {payout.rail.value} to "
                     f"{report.rail.value} (the payouts service's fallback)", utcnow()))
    payout.rail = PaymentRail(report.rail.value)
    return True


def _note_sla_breach(
    uow: ClaimsUnitOfWork, claim: ClaimRow, payout: ClaimPayoutRow, report: PayoutSlaBreachedV1
) -> None:
    uow.record(noted(
        claim.job_id, SYSTEM,
        f"Payout {payout.payout_key} by {payout.rail.value} is past its deadline "
        f"{report.deadline.isoformat()} and still {report.status}: payables must chase it.",
        utcnow(),
    ))


def _record_decision(
    uow: ClaimsUnitOfWork, claim: ClaimRow, payout: ClaimPayoutRow, report: PayoutDecidedV1
) -> None:
    """Who released (or rejected) the held payout, and when, on the claim's timeline."""
    uow.record(*claim.payout_decided(
        report.decision.value, payout_key=payout.payout_key, payout_id=report.payout_id,
        decided_by=report.decided_by, decided_at=report.decided_at, reason=report.reason,
        at=utcnow(),
    ))


async def _move_review(uow: ClaimsUnitOfWork, claim: ClaimRow, action: ExceptionAction,
                       review: JobExceptionRow | None) -> None:
    """Move the claim's open ``review`` (read by the caller), if the action applies to it."""
    if review is None or not review.may(action):
        return  # e.g. already in Follow Up after an earlier failure
    moved = review.move(action, actor=SYSTEM, at=utcnow(), claim_status=claim.status.value)
    await uow.exceptions.move(review)
    uow.record(*moved)


async def _reopen_review(uow: ClaimsUnitOfWork, claim: ClaimRow, reason: str | None) -> None:
    """Back to Support Services: the open review goes to Follow Up; a completed one (the claim
    had been paid) is reopened as a new review in Follow Up, with the same comment code."""
    if (review := await uow.exceptions.open_review_row(claim.job_id)) is not None:
        await _move_review(uow, claim, ExceptionAction.FOLLOW_UP, review)
        return
    exceptions = await uow.exceptions.of_job(claim.job_id)
    last = next((e for e in reversed(exceptions)
                 if e.type is ExceptionType.SS_CLAIM_CREDIT_REVIEW), None)
    if last is None:
        return
    review = JobExceptionRow(
        id=uuid.uuid4(), job_id=claim.job_id, claim_id=claim.id, type=last.type,
        comment_code=last.comment_code, status=ExceptionStatus.FOLLOW_UP, opened_by=SYSTEM,
    )
    await uow.exceptions.add(review)
    uow.record(*review.reopened(actor=SYSTEM, at=utcnow(), reason=reason))
