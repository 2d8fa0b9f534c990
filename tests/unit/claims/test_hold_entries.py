"""A claim's limit holds: reserved with the approval, then consumed or released, each move an
entry of the timeline (never a message: limit holds are timeline only)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.claims.domain.limits import (
    ClaimHold,
    HoldAction,
    HoldStatus,
    LimitKind,
    NewHold,
    settle_holds,
)
from shared.money import Money
from tests.unit.claims.fakes import T0
from tests.unit.claims.strategies import money

JOB = uuid.uuid4()


@given(money(min_cents=1))
def test_a_reservation_names_its_claim_limit_and_amount(amount: Money) -> None:
    hold = NewHold(uuid.uuid4(), LimitKind.ANNUAL_AGGREGATE, amount.amount)
    claim_id = uuid.uuid4()
    event = hold.reserved(claim_id=claim_id, job_id=JOB, actor="ss-1", at=T0)
    assert (event.entity, event.entity_id, event.action, event.from_status, event.to_status) == (
        "limit_hold", str(hold.id), "reserve", None, "reserved")
    assert dict(event.detail) == {"limit": "annual_aggregate", "amount": str(amount),
                                  "claim_id": str(claim_id)}


statuses = st.sampled_from(sorted(HoldStatus))
holds = st.lists(st.builds(ClaimHold, id=st.uuids(), limit_kind=st.sampled_from(LimitKind),
                           amount=st.integers(1, 10**6).map(lambda c: Decimal(c) / 100),
                           status=statuses), max_size=4)


@given(holds, st.sampled_from(HoldAction))
def test_only_the_holds_the_action_applies_to_move(found: list[ClaimHold],
                                                   action: HoldAction) -> None:
    moves, events = settle_holds(found, action, job_id=JOB, actor="system", at=T0,
                                 reason="returned")
    target = HoldStatus.CONSUMED if action is HoldAction.CONSUME else HoldStatus.RELEASED
    movable = [hold for hold in found
               if hold.status is HoldStatus.RESERVED
               or (hold.status is HoldStatus.CONSUMED and action is HoldAction.RELEASE)]
    assert moves == [(hold.id, target) for hold in movable]
    assert [(e.entity_id, e.from_status, e.to_status, e.detail["amount"]) for e in events] == [
        (str(h.id), h.status.value, target.value, str(Money(h.amount))) for h in movable]
