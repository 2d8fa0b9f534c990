"""Who may approve how much: properties over every combination of amounts and limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.claims.domain.approval import Approval
from services.claims.domain.errors import (
    AggregateLimitExceeded,
    ApprovalLimitExceeded,
    OverrideNotPermitted,
    SelfApproval,
)
from shared.money import Money

from .strategies import money


def approval(
    *, approver: str = "ss-1", supervisor: bool = False, override: bool = False,
    limit: str = "1000.00", remaining: str = "10000.00",
) -> Approval:
    return Approval(
        approver=approver, supervisor=supervisor, override=override,
        approval_limit=Money.of(limit), per_claim_cap=Money.of("1500.00"),
        remaining_aggregate=Money.of(remaining),
    )


@given(
    payable=money(1), limit=money(), cap=money(1), remaining=money(),
    supervisor=st.booleans(), override=st.booleans(), own=st.booleans(),
)
def test_approval_is_allowed_exactly_when_every_rule_holds(
    payable: Money, limit: Money, cap: Money, remaining: Money,
    supervisor: bool, override: bool, own: bool,
) -> None:
    rules = Approval(
        approver="ss-1", supervisor=supervisor, override=override, approval_limit=limit,
        per_claim_cap=cap, remaining_aggregate=remaining,
    )
    refusal = rules.refusal(payable=payable, created_by="ss-1" if own else "cust-1")

    within_own_limits = payable <= limit and payable <= cap
    allowed = (
        not own
        and payable <= remaining
        and (not override or supervisor)
        and (within_own_limits or override)
    )
    assert (refusal is None) == allowed
    if own:
        assert isinstance(refusal, SelfApproval)
    elif payable > remaining:
        # The plan's aggregate binds supervisors too: no override reaches past it.
        assert isinstance(refusal, AggregateLimitExceeded)


def test_the_creator_can_never_approve() -> None:
    rules = approval(approver="agent-7", supervisor=True, override=True)
    assert isinstance(rules.refusal(payable=Money.of("10.00"), created_by="agent-7"),
                      SelfApproval)


def test_above_the_limit_needs_a_supervisor_override() -> None:
    payable = Money.of("1200.00")
    assert isinstance(approval().refusal(payable=payable, created_by="c"), ApprovalLimitExceeded)
    assert isinstance(approval(override=True).refusal(payable=payable, created_by="c"),
                      OverrideNotPermitted)
    assert approval(override=True, supervisor=True).refusal(payable=payable, created_by="c") \
        is None


def test_above_the_per_claim_cap_needs_an_override_even_within_the_limit() -> None:
    rules = approval(limit="5000.00")
    assert isinstance(rules.refusal(payable=Money.of("1500.01"), created_by="c"),
                      ApprovalLimitExceeded)
    assert rules.refusal(payable=Money.of("1500.00"), created_by="c") is None


def test_remaining_aggregate_is_a_hard_limit() -> None:
    rules = approval(remaining="99.99", supervisor=True, override=True)
    assert isinstance(rules.refusal(payable=Money.of("100.00"), created_by="c"),
                      AggregateLimitExceeded)
