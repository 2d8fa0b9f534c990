"""The modelled bank's records: positive-pay issues and stop payments (see ``bank``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from .state import Payment, PaymentStatus, Rail, Step


@dataclass(frozen=True, slots=True)
class ExceptionItem:
    """A presented check the bank returned unpaid: positive pay found no live issue record
    for it, or one for another amount."""

    check_number: int
    amount: Decimal
    presented_date: date
    reason: str


@dataclass(slots=True)
class Issue:
    amount: Decimal
    issue_date: date
    payee_name: str
    void: bool


class StopPayment(BaseModel):
    stop_id: str
    check_number: int
    amount: str
    status: str = Field(description="placed, or already_paid (the check was paid first)")
    expires_on: date


class Bank:
    """Issue records and stops by (account, check number), in memory like the rest."""

    def __init__(self) -> None:
        self.issues: dict[tuple[str, int], Issue] = {}
        self.stops: dict[tuple[str, int], StopPayment] = {}
        self.exceptions: list[ExceptionItem] = []

    def clear(self) -> None:
        self.issues.clear()
        self.stops.clear()
        self.exceptions.clear()

    def pays(self, payment: Payment, step: Step) -> bool:
        """Positive pay at presentment: a check is paid only against a live issue record of
        its number and amount; otherwise it is returned as an exception item and no money
        moves. Every other step passes."""
        if payment.rail is not Rail.CHECK or step.status is not PaymentStatus.CASHED:
            return True
        reason = self._refusal(payment)
        if reason is None:
            return True
        self.exceptions.append(ExceptionItem(payment.check_number or 0, payment.amount,
                                             step.at.date(), reason))
        return False

    def _refusal(self, payment: Payment) -> str | None:
        issued = [issue for (_, number), issue in self.issues.items()
                  if number == payment.check_number]
        if not issued:
            return "not issued"
        if any(issue.void for issue in issued):
            return "voided"
        if all(issue.amount != payment.amount for issue in issued):
            return "amount differs from the issue record"
        return None
