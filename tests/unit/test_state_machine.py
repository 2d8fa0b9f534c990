"""The one transition-table type of every service: first passing guard wins, failures name the
rule, and nothing outside the table is ever reached."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.errors import DomainError, ErrorKind, IllegalTransition
from shared.domain.machine import Rule, StateMachine, all_of, fan_in


class S(StrEnum):
    A = "a"
    B = "b"
    C = "c"


class Act(StrEnum):
    GO = "go"
    STAY = "stay"


class Refused(DomainError):
    code = "refused"
    title = "Refused"
    kind = ErrorKind.INVALID


def positive(n: int) -> DomainError | None:
    return None if n > 0 else Refused("needs positive")


def zero(n: int) -> DomainError | None:
    return None if n == 0 else Refused("needs zero")


def even(n: int) -> DomainError | None:
    return None if n % 2 == 0 else Refused("needs even")


MACHINE: StateMachine[S, Act, int] = StateMachine(
    "thing",
    [Rule(S.A, Act.GO, S.B, positive), Rule(S.A, Act.GO, S.C, zero), Rule(S.B, Act.STAY, S.B)],
)


def test_first_rule_whose_guard_passes_decides_the_target() -> None:
    assert MACHINE.fire(S.A, Act.GO, 5) is S.B
    assert MACHINE.fire(S.A, Act.GO, 0) is S.C


def test_when_no_guard_passes_the_first_rules_error_is_raised() -> None:
    with pytest.raises(Refused, match="needs positive"):
        MACHINE.fire(S.A, Act.GO, -1)


def test_an_action_missing_from_the_table_is_an_illegal_transition() -> None:
    with pytest.raises(IllegalTransition) as caught:
        MACHINE.fire(S.B, Act.GO, 1)
    assert "thing in status 'b' cannot 'go' (allowed here: stay)" in str(caught.value)
    assert caught.value.code == "illegal-transition"
    assert caught.value.kind is ErrorKind.CONFLICT


class Stuck(DomainError):
    code = "stuck"

    def __init__(self, state: S, action: Act) -> None:
        super().__init__(f"{state} cannot {action}")


def stuck(_machine: str, state: S, action: Act, _allowed: Sequence[Act]) -> DomainError:
    return Stuck(state, action)


def test_a_machine_may_name_its_own_illegal_transition_error() -> None:
    machine: StateMachine[S, Act, int] = StateMachine("own", MACHINE.rules, illegal=stuck)
    with pytest.raises(Stuck, match=r"^c cannot go$"):
        machine.fire(S.C, Act.GO, 1)


def test_allowed_lists_the_table_not_the_guards() -> None:
    assert MACHINE.allowed(S.A) == [Act.GO]
    assert MACHINE.allowed(S.C) == []
    assert MACHINE.can(S.B, Act.STAY) and not MACHINE.can(S.C, Act.STAY)


def test_all_of_reports_the_first_failing_guard() -> None:
    guard = all_of(positive, even)
    assert guard(4) is None
    assert str(guard(-2)) == "needs positive"
    assert str(guard(3)) == "needs even"


def test_fan_in_is_one_rule_per_source() -> None:
    rules: list[Rule[S, Act, int]] = fan_in([S.A, S.B], Act.STAY, S.C)
    assert [(r.source, r.action, r.target) for r in rules] == [
        (S.A, Act.STAY, S.C), (S.B, Act.STAY, S.C)]
    assert rules[0].guard(0) is None


# A random table: (source, action, target, threshold) rows whose guards pass for facts at or
# above their threshold.
Row = tuple[S, Act, S, int]
rows_strategy = st.lists(
    st.tuples(st.sampled_from(S), st.sampled_from(Act), st.sampled_from(S), st.integers(-3, 3)),
    max_size=12,
)


def _at_least(threshold: int) -> Callable[[int], DomainError | None]:
    def guard(n: int) -> DomainError | None:
        return None if n >= threshold else Refused(f"below {threshold}")

    return guard


def _machine(rows: list[Row]) -> StateMachine[S, Act, int]:
    return StateMachine("random", [Rule(s, a, t, _at_least(k)) for s, a, t, k in rows])


@given(rows_strategy, st.sampled_from(S), st.sampled_from(Act), st.integers(-4, 4))
def test_fire_never_leaves_the_table(
    rows: list[Row], state: S, action: Act, facts: int
) -> None:
    candidates = [row for row in rows if row[:2] == (state, action)]
    machine = _machine(rows)
    assert machine.can(state, action) is bool(candidates)
    try:
        target = machine.fire(state, action, facts)
    except IllegalTransition:
        assert not candidates
    except Refused as refused:
        # Every rule refused: the first one's reason is the answer.
        assert all(facts < k for *_, k in candidates)
        assert str(refused) == f"below {candidates[0][3]}"
    else:
        passing = [t for _, _, t, k in candidates if facts >= k]
        assert target is passing[0]


@given(rows_strategy, st.sampled_from(S))
def test_allowed_is_exactly_the_tables_actions_from_a_state(rows: list[Row], state: S) -> None:
    machine = _machine(rows)
    assert set(machine.allowed(state)) == {a for s, a, _, _ in rows if s is state}
    assert len(machine.rules) == len(rows)
