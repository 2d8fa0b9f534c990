"""Translations between stored rows, domain values and message contracts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.domain.model import MailingAddress, Payee, PayoutDetails, PayoutStatus, Rail
from services.payouts.domain.outcomes import PayoutEvent
from shared.messaging import contracts as c
from shared.money import Money


def payee_from_json(data: dict[str, Any]) -> Payee:
    address = data.get("address")
    return Payee(
        kind=str(data.get("kind", "customer")),
        name=str(data["name"]),
        email=data.get("email"),
        mobile=data.get("mobile"),
        address=MailingAddress(**address) if address else None,
        zelle_token=data.get("zelle_token"),
    )


def to_domain(row: PayoutRow) -> PayoutDetails:
    return PayoutDetails(
        id=row.id,
        payout_key=row.payout_key,
        amount=Money(row.amount),
        rail=Rail(row.rail),
        payee=payee_from_json(row.payee),
        memo=row.memo,
        status=PayoutStatus(row.status),
        created_at=row.created_at,
    )


def build_event(
    kind: PayoutEvent,
    payout: PayoutRow,
    attempt: AttemptRow | None,
    reason: str | None = None,
) -> c.Contract:
    common: dict[str, Any] = {
        "payout_id": str(payout.id),
        "payout_key": payout.payout_key,
        "source": c.PayoutSource.model_validate(payout.source),
        "amount": payout.amount,
        "currency": payout.currency,
        "rail": c.Rail(payout.rail),
    }
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
    return c.PayoutDecidedV1(
        payout_id=str(payout.id), payout_key=payout.payout_key,
        source=c.PayoutSource.model_validate(payout.source), amount=payout.amount,
        currency=payout.currency, rail=c.Rail(payout.rail), decision=decision,
        decided_by=decided_by, decided_at=decided_at, reason=reason,
    )
