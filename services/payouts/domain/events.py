"""What a payout and its attempts announce when they change (``domain.payout`` returns them).

The unit of work writes them in the use case's commit: a transition is the payout's row and its
status history entry (with the outcome of the attempt that caused it, in the same statement)
and the payout event it announces; an attempt's answer is its outcome fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.payouts.domain.model import PayoutStatus
from services.payouts.domain.outcomes import PayoutEvent
from services.payouts.domain.state import AttemptState, PayoutState
from services.payouts.domain.transitions import PayoutAction
from shared.domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class PayoutTransitioned(DomainEvent):
    """The payout moved from ``before`` to ``to`` by ``action``: one history entry."""

    payout: PayoutState
    before: str
    to: PayoutStatus
    action: PayoutAction
    actor: str
    at: datetime
    reason: str | None
    # The attempt whose outcome caused the move: its outcome is written with it.
    attempt: AttemptState | None = None
    # The payout event the move announces (none for approved, a fallback or a reissue).
    announce: PayoutEvent | None = None


@dataclass(frozen=True, slots=True)
class AttemptAnswered(DomainEvent):
    """An attempt's outcome fields changed without a move of its payout."""

    attempt: AttemptState


@dataclass(frozen=True, slots=True)
class PayoutDecided(DomainEvent):
    """An approver released (``APPROVE``) or rejected (``REJECT``) a held payout."""

    payout: PayoutState
    action: PayoutAction
    actor: str
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class SlaBreached(DomainEvent):
    """A promised payout passed its deadline unpaid (announced once)."""

    payout: PayoutState


PayoutDomainEvent = PayoutTransitioned | AttemptAnswered | PayoutDecided | SlaBreached
