"""The ``payouts.*`` messages a payout's events become: the fields every payout event carries,
then each event's own. The unit of work builds them at commit (``unit_of_work.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.domain.outcomes import PayoutEvent
from shared.messaging import contracts as c


def _common(payout: PayoutRow) -> dict[str, Any]:
    return {
        "payout_id": str(payout.id),
        "payout_key": payout.payout_key,
        "source": c.PayoutSource.model_validate(payout.source),
        "amount": payout.amount,
        "currency": payout.currency,
        "rail": c.Rail(payout.rail),
    }


def build_event(
    kind: PayoutEvent,
    payout: PayoutRow,
    attempt: AttemptRow | None,
    reason: str | None = None,
) -> c.Contract:
    common = _common(payout)
    reference = attempt.provider_reference if attempt is not None else None
    if kind is PayoutEvent.SUBMITTED:
        assert attempt is not None
        return c.PayoutSubmittedV1(**common, attempt_id=attempt.id, provider_reference=reference)
    if kind is PayoutEvent.PAID:
        assert attempt is not None
        return c.PayoutPaidV1(**common, attempt_id=attempt.id, provider_reference=reference)
    attempt_id = attempt.id if attempt is not None else None
    if kind is PayoutEvent.RETURNED:
        return c.PayoutReturnedV1(**common, reason=reason or payout.status_reason or "returned",
                                  attempt_id=attempt_id)
    if kind is PayoutEvent.CANCELLED:
        return c.PayoutCancelledV1(**common, final_status=payout.status,
                                   reason=reason or payout.status_reason or payout.status)
    return c.PayoutFailedV1(
        **common,
        reason=reason or payout.status_reason or "failed",
        attempt_id=attempt.id if attempt is not None else None,
    )


def decision_event(payout: PayoutRow, decision: c.PayoutDecision, decided_by: str,
                   decided_at: datetime, reason: str) -> c.PayoutDecidedV1:
    """An approver's release or rejection of a held payout, naming the approver."""
    return c.PayoutDecidedV1(**_common(payout), decision=decision, decided_by=decided_by,
                             decided_at=decided_at, reason=reason)


def sla_breached_event(payout: PayoutRow) -> c.PayoutSlaBreachedV1:
    """A Zelle payout past its 24-hour promise and not paid."""
    assert payout.deadline_at is not None  # only a promised payout can breach
    return c.PayoutSlaBreachedV1(**_common(payout), deadline=payout.deadline_at,
                                 status=payout.status)
