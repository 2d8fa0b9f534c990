"""Allocation of a portal payment: oldest open invoice first, the last one possibly in part.

Pure functions over value objects, so the rules are proven by property tests without a
database (over what the payment use case computes from them): the applied amounts sum to the
payment, no invoice goes below zero, an older invoice is always settled before a newer one gets
anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.billing.domain.errors import NothingToPay, PaymentExceedsBalance
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
