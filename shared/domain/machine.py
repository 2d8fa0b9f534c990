"""Explicit state machines: a table of ``(from, action, guard -> to)`` rules.

A guard looks at the facts of one attempt and returns the named error that forbids it, or
``None``. Several rules may share a ``(from, action)``: the first whose guard passes decides the
target (``submit`` goes to Under Review, or to Rejected when nothing is payable); when none
passes, the first rule's error is raised, so the caller hears the main reason.

``fire`` is one dict lookup and the guards' calls: the payout machine runs on the money path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from shared.domain.errors import DomainError, IllegalTransition

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)
F = TypeVar("F")

Guard = Callable[[F], DomainError | None]
# Builds the error for a (state, action) the table does not have, given the actions it has there.
Refusal = Callable[[str, S, A, Sequence[A]], DomainError]


def no_guard(_facts: object) -> DomainError | None:
    return None


def illegal_transition(machine: str, state: S, action: A, allowed: Sequence[A]) -> DomainError:
    return IllegalTransition(machine, state.value, action.value, (a.value for a in allowed))


@dataclass(frozen=True, slots=True)
class Rule(Generic[S, A, F]):
    source: S
    action: A
    target: S
    guard: Callable[[F], DomainError | None] = field(default=no_guard)


def all_of(*guards: Callable[[F], DomainError | None]) -> Callable[[F], DomainError | None]:
    """Guards checked in order; the first failure is the answer."""

    def guard(facts: F) -> DomainError | None:
        for check in guards:
            error = check(facts)
            if error is not None:
                return error
        return None

    return guard


def fan_in(
    sources: Iterable[S], action: A, target: S,
    guard: Callable[[F], DomainError | None] = no_guard,
) -> list[Rule[S, A, F]]:
    """The same rule from several states (``cancel`` from New or Accepted)."""
    return [Rule(source, action, target, guard) for source in sources]


class StateMachine(Generic[S, A, F]):
    def __init__(
        self, name: str, rules: Iterable[Rule[S, A, F]],
        illegal: Refusal[S, A] = illegal_transition,
    ) -> None:
        self.name = name
        self._illegal = illegal
        grouped: dict[tuple[S, A], list[Rule[S, A, F]]] = {}
        for rule in rules:
            grouped.setdefault((rule.source, rule.action), []).append(rule)
        # Tuples, built once: ``fire`` iterates them without copying.
        self._rules: dict[tuple[S, A], tuple[Rule[S, A, F], ...]] = {
            key: tuple(group) for key, group in grouped.items()
        }

    @property
    def rules(self) -> list[Rule[S, A, F]]:
        return [rule for rules in self._rules.values() for rule in rules]

    def allowed(self, state: S) -> list[A]:
        """Actions the table has for ``state`` (guards not evaluated)."""
        return [action for (source, action) in self._rules if source == state]

    def can(self, state: S, action: A) -> bool:
        """True if the table has the transition (its guards are not evaluated)."""
        return (state, action) in self._rules

    def fire(self, state: S, action: A, facts: F) -> S:
        """The target of ``action`` from ``state``; raises the guard's error, or the machine's
        illegal-transition error when the table has no such row."""
        rules = self._rules.get((state, action))
        if rules is None:
            raise self._illegal(self.name, state, action, self.allowed(state))
        if len(rules) == 1:
            # The common case, and the payout machine's only one: no iterator per call.
            only = rules[0]
            error = only.guard(facts)
            if error is None:
                return only.target
            raise error
        first_error: DomainError | None = None
        for rule in rules:
            error = rule.guard(facts)
            if error is None:
                return rule.target
            first_error = first_error or error
        assert first_error is not None
        raise first_error
