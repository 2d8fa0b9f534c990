"""Allocation of a portal payment: oldest open invoice first, the last one possibly in part.

Pure functions over value objects, so the rules are proven by property tests without a
database: the applied amounts sum to the payment, no invoice goes below zero, an older invoice
is always settled before a newer one gets anything, and a replayed request changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from services.billing.domain.errors import (
    IdempotencyKeyReused,
    NothingToPay,
    PaymentExceedsBalance,
)
from shared.money import Money


@dataclass(frozen=True)
class OpenInvoice:
    """What the allocator needs of an invoice that is payable online."""

    invoice_id: str
    number: str
    invoice_date: date
    open_balance: Money


@dataclass(frozen=True)
class Allocation:
    invoice_id: str
    number: str
    amount: Money
    remaining: Money  # still open on the invoice once this allocation is applied


def age_key(invoice: OpenInvoice) -> tuple[date, str, str]:
    # The source product orders by invoice date, then invoice number; the id only breaks ties
    # between equal numbers (never in practice: numbers are unique) so the order is total.
    return invoice.invoice_date, invoice.number, invoice.invoice_id


def oldest_first(invoices: Iterable[OpenInvoice]) -> list[OpenInvoice]:
    return sorted(invoices, key=age_key)


def payable_balance(invoices: Iterable[OpenInvoice]) -> Decimal:
    # A Decimal, not Money: an account's total may exceed what one payment can be.
    return sum((i.open_balance.amount for i in invoices), Decimal("0.00"))


def allocate(payment: Money, invoices: Iterable[OpenInvoice]) -> list[Allocation]:
    """Split ``payment`` over ``invoices`` oldest first; refuse more than the balance."""
    candidates = [i for i in oldest_first(invoices) if not i.open_balance.is_zero()]
    if payment.is_zero():
        raise NothingToPay("a payment must be greater than zero")
    if not candidates:
        raise NothingToPay("the account has no open invoice that can be paid online")
    balance = payable_balance(candidates)
    if payment.amount > balance:
        raise PaymentExceedsBalance(
            f"the payment of {payment} is above the payable balance of {balance:.2f}; pay at "
            f"most {balance:.2f}"
        )
    left, allocations = payment, []
    for invoice in candidates:
        if left.is_zero():
            break
        applied = left.min(invoice.open_balance)
        left -= applied
        allocations.append(Allocation(invoice.invoice_id, invoice.number, applied,
                                      invoice.open_balance - applied))
    return allocations


def settle(invoices: Iterable[OpenInvoice], allocations: Iterable[Allocation]
           ) -> list[OpenInvoice]:
    """The invoices after the allocations are applied (balances reduced)."""
    applied: dict[str, Money] = {}
    for allocation in allocations:
        applied[allocation.invoice_id] = (
            applied.get(allocation.invoice_id, Money.zero()) + allocation.amount
        )
    return [replace(i, open_balance=i.open_balance - applied.get(i.invoice_id, Money.zero()))
            for i in invoices]


def unsettle(invoices: Iterable[OpenInvoice], allocations: Iterable[Allocation]
             ) -> list[OpenInvoice]:
    """The invoices after a refund gives exactly these allocations back."""
    returned: dict[str, Money] = {}
    for allocation in allocations:
        returned[allocation.invoice_id] = (
            returned.get(allocation.invoice_id, Money.zero()) + allocation.amount
        )
    return [replace(i, open_balance=i.open_balance + returned.get(i.invoice_id, Money.zero()))
            for i in invoices]


@dataclass(frozen=True)
class AccountBook:
    """An account's payable invoices and the payments already taken, by idempotency key.

    The model the service keeps in PostgreSQL (invoices, allocation rows, idempotency keys);
    here it is pure so the replay rule can be proven exhaustively.
    """

    invoices: tuple[OpenInvoice, ...]
    payments: Mapping[str, tuple[Money, tuple[Allocation, ...]]] = field(default_factory=dict)

    def pay(self, key: str, amount: Money) -> tuple[AccountBook, tuple[Allocation, ...]]:
        """Take a payment once per key: a replay returns the first result and changes nothing."""
        if key in self.payments:
            first_amount, first = self.payments[key]
            if first_amount != amount:
                raise IdempotencyKeyReused(
                    f"key {key} already paid {first_amount}; use a new key for {amount}"
                )
            return self, first
        allocations = tuple(allocate(amount, self.invoices))
        book = AccountBook(tuple(settle(self.invoices, allocations)),
                           {**self.payments, key: (amount, allocations)})
        return book, allocations
