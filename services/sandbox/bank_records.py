"""The modelled bank's records: positive-pay issues and stop payments (see ``bank``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field


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

    def clear(self) -> None:
        self.issues.clear()
        self.stops.clear()
