"""Claims and payouts agree on how every payout ended: each payouts final status, announced as
payouts announces it, is recorded on the claim's payout under the same name. Iterating over
payouts' final statuses means a status added there cannot be forgotten here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.claims.domain.errors import PayoutConflict
from services.claims.domain.payout import DEAD_PAYOUT_STATUSES, advance, ended_without_money
from services.claims.domain.payout import PayoutStatus as ClaimPayoutStatus
from services.claims.service.payout_events import event_of
from services.payouts.adapters.messages import build_event
from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.domain.model import FINAL_PAYOUT_STATUSES, PayoutStatus
from services.payouts.domain.outcomes import event_for
from shared.messaging.contracts import PayoutCancelledV1


def payout_row(status: PayoutStatus) -> PayoutRow:
    return PayoutRow(
        id=uuid.uuid4(), payout_key="claim:c-1:payout:1", amount=Decimal("125.00"),
        currency="USD", rail="check", status=status.value, status_reason="why it ended",
        source={"claim_id": "c-1", "service_job_id": "job-1", "contract_id": "ct-1",
                "kind": "claim_credit"},
    )


def attempt_row() -> AttemptRow:
    return AttemptRow(id="ABCDEFGH12345678", provider_reference="CHK-1", number=1, rail="check",
                      amount=Decimal("125.00"), status="paid", lease_until=datetime.now(UTC))


@pytest.mark.parametrize("final", sorted(FINAL_PAYOUT_STATUSES))
def test_every_payouts_final_status_is_the_claims_payout_status(final: PayoutStatus) -> None:
    kind = event_for(final)
    assert kind is not None, f"payouts announces no event for {final}"
    report = build_event(kind, payout_row(final), attempt_row())
    event, _ = event_of(report)  # type: ignore[arg-type]
    # A return follows a payment; every other end may follow a submitted payout.
    before = ClaimPayoutStatus.PAID if final is PayoutStatus.RETURNED else \
        ClaimPayoutStatus.SUBMITTED
    assert advance(before, event) == ClaimPayoutStatus(final.value)


@pytest.mark.parametrize("final", sorted(FINAL_PAYOUT_STATUSES - {PayoutStatus.PAID}))
def test_every_end_without_payment_frees_the_claim_for_a_new_payout(final: PayoutStatus) -> None:
    assert ClaimPayoutStatus(final.value) in DEAD_PAYOUT_STATUSES


def test_a_cancelled_report_names_its_final_status() -> None:
    report = build_event(event_for(PayoutStatus.EXPIRED),  # type: ignore[arg-type]
                         payout_row(PayoutStatus.EXPIRED), None)
    assert isinstance(report, PayoutCancelledV1) and report.final_status == "expired"


def test_an_unknown_final_status_is_refused_not_recorded_as_another() -> None:
    with pytest.raises(PayoutConflict, match="reconcile"):
        ended_without_money("vanished")
