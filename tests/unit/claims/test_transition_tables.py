"""Every state machine of claims, exhaustively: each (state, action) pair is either one of the
allowed transitions listed here (with its target) or refused with ``IllegalTransition`` naming
the state, the action and what is allowed instead."""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Any

import pytest

from services.claims.domain.byop import BYOP_MACHINE, ByopAction, ByopStage
from services.claims.domain.claim import CLAIM_MACHINE, ClaimAction, ClaimStatus
from services.claims.domain.errors import IllegalTransition
from services.claims.domain.limits import HOLD_MACHINE, HoldAction, HoldStatus
from services.claims.domain.options import OPTION_MACHINE, OptionAction, OptionStatus
from services.claims.domain.payout import PAYOUT_MACHINE, PayoutEvent, PayoutStatus
from services.claims.domain.review import EXCEPTION_MACHINE, ExceptionAction, ExceptionStatus
from services.claims.domain.work import (
    JOB_MACHINE,
    ORDER_MACHINE,
    JobAction,
    JobStatus,
    OrderAction,
    OrderStatus,
)
from shared.domain.machine import StateMachine

C, CA = ClaimStatus, ClaimAction
J, JA = JobStatus, JobAction
E, EA = ExceptionStatus, ExceptionAction
B, BA = ByopStage, ByopAction
P, PE = PayoutStatus, PayoutEvent
H, HA = HoldStatus, HoldAction

# (machine, state enum, action enum, {(from, action): {targets}})
TABLES: list[tuple[StateMachine[Any, Any, Any], type[StrEnum], type[StrEnum], dict[Any, Any]]] = [
    (CLAIM_MACHINE, ClaimStatus, ClaimAction, {
        (C.SAVED, CA.SUBMIT): {C.UNDER_REVIEW, C.REJECTED},
        (C.SAVED, CA.REJECT): {C.REJECTED},
        (C.UNDER_REVIEW, CA.SELECT_PAYMENT): {C.UNDER_REVIEW},
        (C.UNDER_REVIEW, CA.CONFIRM_PAYMENT): {C.UNDER_REVIEW},
        (C.UNDER_REVIEW, CA.APPROVE): {C.APPROVED},
        (C.UNDER_REVIEW, CA.REJECT): {C.REJECTED},
        (C.APPROVED, CA.PAYOUT_SUBMITTED): {C.TRANSFERRED},
        (C.APPROVED, CA.PAYOUT_PAID): {C.PAID},
        (C.TRANSFERRED, CA.PAYOUT_PAID): {C.PAID},
        (C.APPROVED, CA.PAYOUT_FAILED): {C.UNDER_REVIEW},
        (C.TRANSFERRED, CA.PAYOUT_FAILED): {C.UNDER_REVIEW},
        (C.APPROVED, CA.PAYOUT_CANCELLED): {C.UNDER_REVIEW},
        (C.TRANSFERRED, CA.PAYOUT_CANCELLED): {C.UNDER_REVIEW},
        (C.APPROVED, CA.PAYOUT_RETURNED): {C.UNDER_REVIEW},
        (C.TRANSFERRED, CA.PAYOUT_RETURNED): {C.UNDER_REVIEW},
        (C.PAID, CA.PAYOUT_RETURNED): {C.UNDER_REVIEW},
    }),
    (JOB_MACHINE, JobStatus, JobAction, {
        (J.NEW, JA.ACCEPT): {J.ACCEPTED},
        (J.NEW, JA.REJECT): {J.REJECTED},
        (J.NEW, JA.EXPIRE): {J.EXPIRED},
        (J.NEW, JA.CANCEL): {J.CANCELLED},
        (J.ACCEPTED, JA.CANCEL): {J.CANCELLED},
        (J.ACCEPTED, JA.COMPLETE): {J.COMPLETED},
        (J.ACCEPTED, JA.RECORD_VISIT): {J.ACCEPTED},
    }),
    (ORDER_MACHINE, OrderStatus, OrderAction, {
        (OrderStatus.OPEN, OrderAction.CLOSE): {OrderStatus.CLOSED},
    }),
    (OPTION_MACHINE, OptionStatus, OptionAction, {
        (OptionStatus.OFFERED, OptionAction.ACCEPT): {OptionStatus.ACCEPTED},
        (OptionStatus.OFFERED, OptionAction.DECLINE): {OptionStatus.DECLINED},
    }),
    (EXCEPTION_MACHINE, ExceptionStatus, ExceptionAction, {
        (E.OPEN, EA.START): {E.IN_PROGRESS},
        (E.OPEN, EA.PEND): {E.PENDING},
        (E.IN_PROGRESS, EA.PEND): {E.PENDING},
        (E.FOLLOW_UP, EA.PEND): {E.PENDING},
        (E.OPEN, EA.FOLLOW_UP): {E.FOLLOW_UP},
        (E.IN_PROGRESS, EA.FOLLOW_UP): {E.FOLLOW_UP},
        (E.PENDING, EA.FOLLOW_UP): {E.FOLLOW_UP},
        (E.PENDING, EA.RESUME): {E.IN_PROGRESS},
        (E.FOLLOW_UP, EA.RESUME): {E.IN_PROGRESS},
        **{(s, EA.COMPLETE): {E.COMPLETE} for s in ExceptionStatus if s is not E.COMPLETE},
    }),
    (BYOP_MACHINE, ByopStage, ByopAction, {
        (B.AUTHORIZED_TO_SCHEDULE, BA.RECORD_DIAGNOSIS): {B.DIAGNOSED},
        (B.DIAGNOSED, BA.AUTHORIZE): {B.REPAIR_AUTHORIZED},
        (B.DIAGNOSED, BA.DENY): {B.DENIED},
        (B.REPAIR_AUTHORIZED, BA.RECORD_COMPLETION): {B.COMPLETED},
        (B.COMPLETED, BA.REQUEST_PAYMENT): {B.PAYMENT_REQUESTED},
    }),
    (PAYOUT_MACHINE, PayoutStatus, PayoutEvent, {
        (P.REQUESTED, PE.SUBMITTED): {P.SUBMITTED},
        (P.REQUESTED, PE.PAID): {P.PAID},
        (P.SUBMITTED, PE.PAID): {P.PAID},
        (P.REQUESTED, PE.FAILED): {P.FAILED},
        (P.SUBMITTED, PE.FAILED): {P.FAILED},
        (P.REQUESTED, PE.CANCELLED): {P.CANCELLED},
        (P.SUBMITTED, PE.CANCELLED): {P.CANCELLED},
        (P.REQUESTED, PE.REJECTED): {P.REJECTED},
        (P.SUBMITTED, PE.REJECTED): {P.REJECTED},
        (P.REQUESTED, PE.EXPIRED): {P.EXPIRED},
        (P.SUBMITTED, PE.EXPIRED): {P.EXPIRED},
        (P.REQUESTED, PE.UNCLAIMED): {P.UNCLAIMED},
        (P.SUBMITTED, PE.UNCLAIMED): {P.UNCLAIMED},
        (P.REQUESTED, PE.RETURNED): {P.RETURNED},
        (P.SUBMITTED, PE.RETURNED): {P.RETURNED},
        (P.PAID, PE.RETURNED): {P.RETURNED},
    }),
    (HOLD_MACHINE, HoldStatus, HoldAction, {
        (H.RESERVED, HA.CONSUME): {H.CONSUMED},
        (H.RESERVED, HA.RELEASE): {H.RELEASED},
        (H.CONSUMED, HA.RELEASE): {H.RELEASED},
    }),
]


@pytest.mark.parametrize("machine, _s, _a, table", TABLES, ids=[t[0].name for t in TABLES])
def test_the_table_is_exactly_the_allowed_transitions(
    machine: StateMachine[Any, Any, Any], _s: type[StrEnum], _a: type[StrEnum],
    table: dict[Any, Any],
) -> None:
    actual: dict[Any, set[Any]] = {}
    for rule in machine.rules:
        actual.setdefault((rule.source, rule.action), set()).add(rule.target)
    assert actual == table


REFUSED = [
    pytest.param(machine, state, action, id=f"{machine.name}:{state.value}-{action.value}")
    for machine, states, actions, table in TABLES
    for state, action in itertools.product(states, actions)
    if (state, action) not in table
]


@pytest.mark.parametrize("machine, state, action", REFUSED)
def test_every_other_pair_is_refused_by_name(
    machine: StateMachine[Any, Any, Any], state: StrEnum, action: StrEnum
) -> None:
    assert not machine.can(state, action)
    with pytest.raises(IllegalTransition) as refused:
        machine.fire(state, action, None)
    assert refused.value.code == "illegal-transition"
    detail = refused.value.detail
    assert f"'{state.value}'" in detail and f"'{action.value}'" in detail
