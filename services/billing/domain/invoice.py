"""Invoice status: derived from the open balance, moved only through the transition table.

An invoice is *open* while nothing is applied, *partially paid* while some of it is, *paid* at
zero and *void* when cancelled before any payment. Applying and reversing money recompute the
status from the balance; the table says which statuses each action may start from.

A service-fee invoice whose job claims cancelled (no visit) is voided the same way, through
``void``; one that something was already paid on is not: it stays owed and says why, and the
refund of what paid it voids it then (``cancel_fee``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from services.billing.domain.errors import DomainError, InvalidInvoice
from shared.domain.events import DomainEvent
from shared.domain.machine import Rule, StateMachine, all_of, no_guard
from shared.money import Money


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class InvoiceAction(StrEnum):
    APPLY = "apply"  # a payment's allocation
    REVERSE = "reverse"  # a refund gives an allocation back
    VOID = "void"


OPEN_STATUSES = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID})
# The statuses money moving on an invoice may leave it in: its new balance says which.
_BALANCE_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)
_NOTHING = Money.zero()


@dataclass(frozen=True, slots=True)
class BalanceChange:
    """Money applied to or given back to an invoice, for the table's guards."""

    amount: Money
    open_balance: Money
    applied: Money = _NOTHING
    returned: Money = _NOTHING

    @property
    def new_open_balance(self) -> Money:
        return self.open_balance - self.applied + self.returned


def status_for(amount: Money, open_balance: Money) -> InvoiceStatus:
    if open_balance > amount:
        raise InvalidInvoice(f"open balance {open_balance} is above the amount {amount}")
    if open_balance.is_zero():
        return InvoiceStatus.PAID
    if open_balance == amount:
        return InvoiceStatus.OPEN
    return InvoiceStatus.PARTIALLY_PAID


def _within_open_balance(change: BalanceChange) -> DomainError | None:
    if change.applied > change.open_balance:
        return InvalidInvoice(f"{change.applied} is above the open balance {change.open_balance}")
    return None


def _lands_on(target: InvoiceStatus) -> Callable[[BalanceChange], DomainError | None]:
    """Selects the rule whose target the new balance says (``status_for``)."""

    def guard(change: BalanceChange) -> DomainError | None:
        if status_for(change.amount, change.new_open_balance) is target:
            return None
        return InvalidInvoice(f"the new open balance does not leave the invoice {target.value}")

    return guard


def _rules() -> list[Rule[InvoiceStatus, InvoiceAction, BalanceChange]]:
    apply_from, reverse_from = OPEN_STATUSES, (InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)
    rules = [
        Rule(source, InvoiceAction.APPLY, target, all_of(_within_open_balance, _lands_on(target)))
        for source in sorted(apply_from) for target in _BALANCE_STATUSES
    ]
    rules += [Rule(source, InvoiceAction.REVERSE, target, _lands_on(target))
              for source in reverse_from for target in _BALANCE_STATUSES]
    # Only untouched invoices are voided, so a refund never has to reopen a void invoice.
    rules.append(Rule(InvoiceStatus.OPEN, InvoiceAction.VOID, InvoiceStatus.VOID, no_guard))
    return rules


INVOICE_MACHINE: StateMachine[InvoiceStatus, InvoiceAction, BalanceChange] = StateMachine(
    "invoice", _rules()
)


def apply(status: InvoiceStatus, amount: Money, open_balance: Money, applied: Money
          ) -> tuple[Money, InvoiceStatus]:
    """The invoice after ``applied`` is paid on it: (new open balance, new status)."""
    change = BalanceChange(amount, open_balance, applied=applied)
    target = INVOICE_MACHINE.fire(status, InvoiceAction.APPLY, change)
    return change.new_open_balance, target


def reverse(status: InvoiceStatus, amount: Money, open_balance: Money, returned: Money
            ) -> tuple[Money, InvoiceStatus]:
    """The invoice after ``returned`` is given back by a refund."""
    change = BalanceChange(amount, open_balance, returned=returned)
    target = INVOICE_MACHINE.fire(status, InvoiceAction.REVERSE, change)
    return change.new_open_balance, target


def void(status: InvoiceStatus) -> InvoiceStatus:
    # Voiding moves no money: the guard-less rule never looks at the facts.
    return INVOICE_MACHINE.fire(status, InvoiceAction.VOID, BalanceChange(_NOTHING, _NOTHING))


@dataclass(frozen=True)
class FeeCancellation:
    """What a cancelled job does to its fee invoice: its new status, or why it stays owed."""

    status: InvoiceStatus
    refused: str | None = None

    @property
    def voided(self) -> bool:
        return self.status is InvoiceStatus.VOID


def cancel_fee(status: InvoiceStatus, amount: Money, open_balance: Money,
               paid_by: Sequence[str]) -> FeeCancellation:
    """The fee invoice of a job cancelled before its visit; ``paid_by``: the payments applied
    to it and not refunded.

    Nothing paid: void. Something paid: the invoice is kept and the refusal names what to do,
    because voiding it would strand the money applied to it (a void invoice takes no refund, see
    ``INVOICE_MACHINE``) and the refund moves money back through the gateway, which only a billing
    operator decides. Already void (a staff void, or this cancellation again): unchanged.
    """
    if status is InvoiceStatus.VOID:
        return FeeCancellation(status)
    if INVOICE_MACHINE.can(status, InvoiceAction.VOID):
        return FeeCancellation(void(status))
    paid = amount - open_balance
    payments = ", ".join(paid_by) or "unknown"
    return FeeCancellation(status, (
        f"paid {paid} of {amount} (payment {payments}); its job was cancelled before the "
        f"visit: refund the payment through POST /v1/payments/{{payment_id}}/refund and the "
        f"invoice is voided then"
    ))


@dataclass(frozen=True, slots=True)
class InvoicePaid(DomainEvent):
    """A payment's allocation left the invoice with nothing open (``billing.invoice_paid``)."""

    invoice_id: uuid.UUID
    invoice_number: str
    account_id: uuid.UUID
    amount: Decimal
    paid_at: datetime


class InvoiceBalance(Protocol):
    """What applying a payment reads and writes: the portal payment's invoices, read in plain
    asyncpg, have no more (their row's ``updated_at`` is the payment's time, its statement's)."""

    id: uuid.UUID
    account_id: uuid.UUID
    number: str
    amount: Decimal
    open_balance: Decimal
    status: InvoiceStatus


class InvoiceState(InvoiceBalance, Protocol):
    """An invoice as stored: the balance and its trail of voids."""

    updated_at: datetime
    voided_at: datetime | None
    void_reason: str | None
    void_refused_reason: str | None


class Invoice:
    """An invoice's behaviour, through ``INVOICE_MACHINE``; no attributes of its own (the
    stored row and the portal's payable invoice mix it in)."""

    __slots__ = ()
    if TYPE_CHECKING:
        # What the methods write may be empty on a stored invoice (mypy would take the type
        # of the first assignment); declared for the type checker only, so the ORM row's
        # columns stay the only attributes.
        voided_at: datetime | None
        void_reason: str | None

    def apply_payment(self: InvoiceBalance, applied: Money, *, at: datetime
                      ) -> list[InvoicePaid]:
        """Pay ``applied`` on the invoice; it announces being paid when nothing is left."""
        balance, self.status = apply(self.status, Money(self.amount), Money(self.open_balance),
                                     applied)
        self.open_balance = balance.amount
        if self.status is not InvoiceStatus.PAID:
            return []
        return [InvoicePaid(self.id, self.number, self.account_id, self.amount, at)]

    def reverse_payment(self: InvoiceState, returned: Money, *, at: datetime) -> None:
        """Give back what a refunded payment applied (paid -> partially paid or open)."""
        balance, self.status = reverse(self.status, Money(self.amount),
                                       Money(self.open_balance), returned)
        self.open_balance, self.updated_at = balance.amount, at

    def void(self: InvoiceState, *, reason: str, at: datetime) -> None:
        self.status = void(self.status)
        self.updated_at = self.voided_at = at
        self.void_reason = reason[:200]

    def cancel_job_fee(self: InvoiceState, reason: str, paid_by: Sequence[str], *,
                       at: datetime) -> FeeCancellation:
        """Its job was cancelled before the visit: voided, or kept owed saying why
        (``cancel_fee``). Already void (by staff, or by this cancellation again): unchanged."""
        if self.status is InvoiceStatus.VOID:
            return FeeCancellation(self.status)
        outcome = cancel_fee(self.status, Money(self.amount), Money(self.open_balance), paid_by)
        if outcome.voided:
            self.status, self.voided_at = outcome.status, at
            self.void_reason = f"service job cancelled: {reason}"[:200]
        self.void_refused_reason = outcome.refused
        self.updated_at = at
        return outcome
