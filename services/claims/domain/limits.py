"""A contract's limits as accumulators: approval *reserves*, payment *consumes*, a failed,
cancelled or returned payout (or a void) *releases*.

Each claim holds at most one live hold per limit. The annual aggregate counts every live hold
(reserved or consumed); the one-time replacement credit may be held by one claim credit only,
ever, unless that hold is released. The caller serialises reservations per contract (the
contract row lock), so two racing approvals see each other's holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from services.claims.domain.contract import Limits
from services.claims.domain.errors import (
    AggregateLimitExceeded,
    ReplacementCreditExceeded,
    ReplacementCreditUsed,
)
from services.claims.domain.events import Transitioned, transitioned
from shared.domain.machine import Rule, StateMachine
from shared.money import Money


class LimitKind(StrEnum):
    ANNUAL_AGGREGATE = "annual_aggregate"
    REPLACEMENT_CREDIT = "replacement_credit"


class HoldStatus(StrEnum):
    RESERVED = "reserved"
    CONSUMED = "consumed"
    RELEASED = "released"


class HoldAction(StrEnum):
    CONSUME = "consume"  # the payout was paid
    RELEASE = "release"  # the payout failed, was cancelled, or the money came back


HOLD_MACHINE: StateMachine[HoldStatus, HoldAction, None] = StateMachine(
    "limit hold",
    [
        Rule(HoldStatus.RESERVED, HoldAction.CONSUME, HoldStatus.CONSUMED),
        Rule(HoldStatus.RESERVED, HoldAction.RELEASE, HoldStatus.RELEASED),
        # A returned payment gives the money back to the plan.
        Rule(HoldStatus.CONSUMED, HoldAction.RELEASE, HoldStatus.RELEASED),
    ],
)
LIVE_HOLDS = frozenset({HoldStatus.RESERVED, HoldStatus.CONSUMED})


@dataclass(frozen=True)
class Hold:
    limit: LimitKind
    amount: Money
    status: HoldStatus = HoldStatus.RESERVED


@dataclass(frozen=True)
class LimitBook:
    """What a contract has left, from its limits and the holds against them."""

    limits: Limits
    holds: tuple[Hold, ...]

    @classmethod
    def of(cls, limits: Limits, holds: Iterable[Hold]) -> LimitBook:
        return cls(limits, tuple(h for h in holds if h.status in LIVE_HOLDS))

    def _held(self, limit: LimitKind) -> Money:
        total = Money.zero()
        for hold in self.holds:
            if hold.limit is limit:
                total = total + hold.amount
        return total

    @property
    def remaining_aggregate(self) -> Money:
        return self.limits.remaining_aggregate(self._held(LimitKind.ANNUAL_AGGREGATE))

    @property
    def replacement_credit_used(self) -> bool:
        return any(h.limit is LimitKind.REPLACEMENT_CREDIT for h in self.holds)

    def reserve(self, amount: Money, *, claim_credit: bool) -> list[Hold]:
        """The holds approving ``amount`` takes, or the named error of the limit it breaks."""
        if amount > self.remaining_aggregate:
            raise AggregateLimitExceeded(
                f"${amount} exceeds the ${self.remaining_aggregate} left on the contract's "
                "annual aggregate"
            )
        holds = [Hold(LimitKind.ANNUAL_AGGREGATE, amount)]
        credit = self.limits.replacement_credit
        if claim_credit and credit is not None:
            if self.replacement_credit_used:
                raise ReplacementCreditUsed(
                    "the contract's one-time replacement credit was already used"
                )
            if amount > credit:
                raise ReplacementCreditExceeded(
                    f"${amount} exceeds the one-time replacement credit of ${credit}"
                )
            holds.append(Hold(LimitKind.REPLACEMENT_CREDIT, amount))
        return holds


@dataclass(frozen=True, slots=True)
class NewHold:
    """A hold an approval takes, written with the approval."""

    id: uuid.UUID
    limit: LimitKind
    amount: Decimal

    def reserved(self, *, claim_id: uuid.UUID, job_id: uuid.UUID, actor: str, at: datetime
                 ) -> Transitioned:
        return transitioned(entity="limit_hold", entity_id=self.id, job_id=job_id,
                            action="reserve", actor=actor, at=at, to_status=HoldStatus.RESERVED,
                            limit=self.limit.value, amount=str(Money(self.amount)),
                            claim_id=str(claim_id))


@dataclass(frozen=True, slots=True)
class ClaimHold:
    """One of a claim's live holds, as read under its lock."""

    id: uuid.UUID
    limit_kind: LimitKind
    amount: Decimal
    status: HoldStatus


def settle_holds(
    holds: Sequence[ClaimHold], action: HoldAction, *, job_id: uuid.UUID, actor: str,
    at: datetime, reason: str | None,
) -> tuple[list[tuple[uuid.UUID, HoldStatus]], list[Transitioned]]:
    """Consume or release the holds the action applies to: their moves and their entries."""
    moves: list[tuple[uuid.UUID, HoldStatus]] = []
    events: list[Transitioned] = []
    for hold in holds:
        if not HOLD_MACHINE.can(hold.status, action):
            continue  # e.g. consume on a hold already consumed: a duplicate, nothing to do
        target = HOLD_MACHINE.fire(hold.status, action, None)
        moves.append((hold.id, target))
        events.append(transitioned(
            entity="limit_hold", entity_id=hold.id, job_id=job_id, action=action.value,
            actor=actor, at=at, from_status=hold.status, to_status=target,
            limit=hold.limit_kind.value, amount=str(Money(hold.amount)), reason=reason))
    return moves, events
