"""The generic transition table: first passing guard wins, failures name the rule."""

from __future__ import annotations

from enum import StrEnum

import pytest

from services.claims.domain.errors import DomainError, IllegalTransition, InvalidAmount
from services.claims.domain.machine import Rule, StateMachine, all_of


class S(StrEnum):
    A = "a"
    B = "b"
    C = "c"


class Act(StrEnum):
    GO = "go"
    STAY = "stay"


def positive(n: int) -> DomainError | None:
    return None if n > 0 else InvalidAmount("needs positive")


def zero(n: int) -> DomainError | None:
    return None if n == 0 else InvalidAmount("needs zero")


def even(n: int) -> DomainError | None:
    return None if n % 2 == 0 else InvalidAmount("needs even")


MACHINE: StateMachine[S, Act, int] = StateMachine(
    "thing",
    [Rule(S.A, Act.GO, S.B, positive), Rule(S.A, Act.GO, S.C, zero), Rule(S.B, Act.STAY, S.B)],
)


def test_first_rule_whose_guard_passes_decides_the_target() -> None:
    assert MACHINE.fire(S.A, Act.GO, 5) is S.B
    assert MACHINE.fire(S.A, Act.GO, 0) is S.C


def test_when_no_guard_passes_the_first_rules_error_is_raised() -> None:
    with pytest.raises(InvalidAmount, match="needs positive"):
        MACHINE.fire(S.A, Act.GO, -1)


def test_an_action_missing_from_the_table_is_an_illegal_transition() -> None:
    with pytest.raises(IllegalTransition) as caught:
        MACHINE.fire(S.B, Act.GO, 1)
    assert "thing in status 'b' cannot 'go' (allowed here: stay)" in str(caught.value)
    assert caught.value.code == "illegal-transition"


def test_allowed_lists_the_table_not_the_guards() -> None:
    assert MACHINE.allowed(S.A) == [Act.GO]
    assert MACHINE.allowed(S.C) == []
    assert MACHINE.can(S.B, Act.STAY) and not MACHINE.can(S.C, Act.STAY)


def test_all_of_reports_the_first_failing_guard() -> None:
    guard = all_of(positive, even)
    assert guard(4) is None
    assert str(guard(-2)) == "needs positive"
    assert str(guard(3)) == "needs even"
