"""Payment status: a captured payment can be refunded once, in full; nothing else moves it.

A declined charge leaves no payment at all (its transaction rolls back), so the table starts at
a captured payment: ``succeeded``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from services.billing.domain.allocation import Allocation
from shared.domain.events import DomainEvent
from shared.domain.machine import Rule, StateMachine


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    REFUNDED = "refunded"


class PaymentAction(StrEnum):
    REFUND = "refund"


# No guards: the refund's own rules (in full, captured) are checked by the use case.
PAYMENT_MACHINE: StateMachine[PaymentStatus, PaymentAction, None] = StateMachine("payment", [
    Rule(PaymentStatus.SUCCEEDED, PaymentAction.REFUND, PaymentStatus.REFUNDED),
])


def fire(status: PaymentStatus, action: PaymentAction) -> PaymentStatus:
    return PAYMENT_MACHINE.fire(status, action, None)


@dataclass(frozen=True, slots=True)
class PaymentReceived(DomainEvent):
    """A portal payment was captured and allocated (``billing.payment_received``)."""

    payment_id: uuid.UUID
    account_id: uuid.UUID
    amount: Decimal
    allocations: Sequence[Allocation]  # in the order applied: oldest invoice first
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Reversal:
    """What a refund gave back to one invoice: one of its payment's allocations."""

    invoice_id: uuid.UUID
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentRefunded(DomainEvent):
    """A payment was refunded, exactly its allocations reversed (``billing.payment_refunded``)."""

    payment_id: uuid.UUID
    account_id: uuid.UUID
    amount: Decimal
    reversals: Sequence[Reversal]
    reason: str
    refunded_at: datetime


class ReceivedPayment(Protocol):
    """A payment as captured: what its announcement says."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def received_at(self) -> datetime: ...


def received(payment: ReceivedPayment, allocations: Sequence[Allocation]) -> PaymentReceived:
    """What a captured payment announces: how it was allocated."""
    return PaymentReceived(payment.id, payment.account_id, payment.amount, allocations,
                           payment.received_at)


class PaymentState(Protocol):
    """The attributes a refund reads and writes."""

    id: uuid.UUID
    account_id: uuid.UUID
    amount: Decimal
    status: PaymentStatus
    gateway_refund_id: str | None
    refunded_at: datetime | None
    refunded_by: str | None
    refund_reason: str | None


class Payment:
    """A stored payment's behaviour, through ``PAYMENT_MACHINE``; no attributes of its own."""

    __slots__ = ()
    if TYPE_CHECKING:
        # What a refund writes is empty on a payment not refunded (mypy would take the type of
        # the first assignment); declared for the type checker only, so the ORM row's columns
        # stay the only attributes.
        gateway_refund_id: str | None
        refunded_at: datetime | None
        refunded_by: str | None
        refund_reason: str | None

    def check_refund(self: PaymentState) -> None:
        """Refuse a refund the table does not allow, before the gateway is asked for one."""
        fire(self.status, PaymentAction.REFUND)

    def refund(self: PaymentState, *, refund_id: str, by: str, reason: str, at: datetime,
               reversals: Sequence[Reversal]) -> list[PaymentRefunded]:
        """The gateway refunded the charge (``refund_id``) and ``reversals`` gave its
        allocations back: the payment is refunded, once."""
        self.status = fire(self.status, PaymentAction.REFUND)
        self.gateway_refund_id, self.refunded_at = refund_id, at
        self.refunded_by, self.refund_reason = by, reason
        return [PaymentRefunded(self.id, self.account_id, self.amount, reversals, reason, at)]
