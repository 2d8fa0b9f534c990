"""Applying payout events to the claim's payout record: advance, ignore, or refuse."""

from __future__ import annotations

import uuid

import pytest

from services.claims.domain.errors import PayoutConflict
from services.claims.domain.payout import (
    PayoutEvent,
    PayoutStatus,
    advance,
    payout_key,
    payout_memo,
)

P, E = PayoutStatus, PayoutEvent


@pytest.mark.parametrize(
    ("status", "event", "expected"),
    [
        (P.REQUESTED, E.SUBMITTED, P.SUBMITTED),
        (P.REQUESTED, E.PAID, P.PAID),
        (P.SUBMITTED, E.PAID, P.PAID),
        (P.REQUESTED, E.FAILED, P.FAILED),
        (P.SUBMITTED, E.FAILED, P.FAILED),
        # Already known, or overtaken: acknowledged, nothing changes.
        (P.SUBMITTED, E.SUBMITTED, None),
        (P.PAID, E.SUBMITTED, None),
        (P.FAILED, E.SUBMITTED, None),
        (P.PAID, E.PAID, None),
        (P.FAILED, E.FAILED, None),
    ],
)
def test_events_advance_or_are_ignored(
    status: PayoutStatus, event: PayoutEvent, expected: PayoutStatus | None
) -> None:
    assert advance(status, event) is expected


@pytest.mark.parametrize(("status", "event"), [(P.PAID, E.FAILED), (P.FAILED, E.PAID)])
def test_contradictions_are_refused_for_an_operator(
    status: PayoutStatus, event: PayoutEvent
) -> None:
    with pytest.raises(PayoutConflict, match="reconcile"):
        advance(status, event)


def test_keys_are_per_approval_and_memos_fit_a_check() -> None:
    claim = uuid.uuid4()
    assert payout_key(claim, 1) != payout_key(claim, 2)
    assert len(payout_key(claim, 999)) <= 120
    assert len(payout_memo(claim)) <= 40
