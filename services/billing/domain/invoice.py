"""Invoice status: derived from the open balance, moved only through the transition table.

An invoice is *open* while nothing is applied, *partially paid* while some of it is, *paid* at
zero and *void* when cancelled before any payment. Applying and reversing money recompute the
status from the balance; the table says which statuses each action may start from.

A service-fee invoice whose job claims cancelled (no visit) is voided the same way, through
``void``; one that something was already paid on is not: it stays owed and says why, and the
refund of what paid it voids it then (``cancel_fee``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.billing.domain.errors import IllegalTransition, InvalidInvoice
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

ALLOWED: dict[InvoiceAction, frozenset[InvoiceStatus]] = {
    InvoiceAction.APPLY: OPEN_STATUSES,
    InvoiceAction.REVERSE: frozenset({InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID}),
    # Only untouched invoices are voided, so a refund never has to reopen a void invoice.
    InvoiceAction.VOID: frozenset({InvoiceStatus.OPEN}),
}


def status_for(amount: Money, open_balance: Money) -> InvoiceStatus:
    if open_balance > amount:
        raise InvalidInvoice(f"open balance {open_balance} is above the amount {amount}")
    if open_balance.is_zero():
        return InvoiceStatus.PAID
    if open_balance == amount:
        return InvoiceStatus.OPEN
    return InvoiceStatus.PARTIALLY_PAID


def check(status: InvoiceStatus, action: InvoiceAction) -> None:
    if status not in ALLOWED[action]:
        allowed = [a.value for a, sources in ALLOWED.items() if status in sources]
        raise IllegalTransition("invoice", status.value, action.value, allowed)


def apply(status: InvoiceStatus, amount: Money, open_balance: Money, applied: Money
          ) -> tuple[Money, InvoiceStatus]:
    """The invoice after ``applied`` is paid on it: (new open balance, new status)."""
    check(status, InvoiceAction.APPLY)
    if applied > open_balance:
        raise InvalidInvoice(f"{applied} is above the open balance {open_balance}")
    remaining = open_balance - applied
    return remaining, status_for(amount, remaining)


def reverse(status: InvoiceStatus, amount: Money, open_balance: Money, returned: Money
            ) -> tuple[Money, InvoiceStatus]:
    """The invoice after ``returned`` is given back by a refund."""
    check(status, InvoiceAction.REVERSE)
    reopened = open_balance + returned
    return reopened, status_for(amount, reopened)


def void(status: InvoiceStatus) -> InvoiceStatus:
    check(status, InvoiceAction.VOID)
    return InvoiceStatus.VOID


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
    ``ALLOWED``) and the refund moves money back through the gateway, which only a billing
    operator decides. Already void (a staff void, or this cancellation again): unchanged.
    """
    if status is InvoiceStatus.VOID:
        return FeeCancellation(status)
    if status in ALLOWED[InvoiceAction.VOID]:
        return FeeCancellation(void(status))
    paid = amount - open_balance
    payments = ", ".join(paid_by) or "unknown"
    return FeeCancellation(status, (
        f"paid {paid} of {amount} (payment {payments}); its job was cancelled before the "
        f"visit: refund the payment through POST /v1/payments/{{payment_id}}/refund and the "
        f"invoice is voided then"
    ))
