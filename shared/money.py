"""Money: ``Decimal`` with exactly two places in USD. Never float.

``Money`` is the value object used by domain code; ``Amount`` is the pydantic field type used by
API schemas and message contracts (serialised as a string such as ``"125.00"`` so no JSON
parser turns it into a float).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

CURRENCY = "USD"
CENT = Decimal("0.01")
# The largest amount any rail accepts (check: $999,999.99); nothing in the platform is larger.
MAX_AMOUNT = Decimal("999999.99")


class MoneyError(ValueError):
    """An amount that is not a valid USD amount."""


def parse_amount(value: Any, *, allow_zero: bool = False) -> Decimal:
    """Validate an amount: finite, at most two decimals, positive, at most ``MAX_AMOUNT``.

    Floats are refused outright: ``0.1 + 0.2`` is how money goes missing.
    """
    if isinstance(value, (bool, float)):
        raise MoneyError("amount must be a decimal string such as \"125.00\", not a float")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MoneyError(f"amount {value!r} is not a number") from exc
    if not amount.is_finite():
        raise MoneyError("amount must be finite")
    if amount != amount.quantize(CENT):
        raise MoneyError("amount must have at most two decimal places")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise MoneyError("amount must be greater than zero")
    if amount > MAX_AMOUNT:
        raise MoneyError(f"amount must be at most {MAX_AMOUNT}")
    return amount.quantize(CENT)


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """A non-negative USD amount with exactly two decimal places."""

    amount: Decimal
    currency: str = CURRENCY

    def __post_init__(self) -> None:
        if self.currency != CURRENCY:
            raise MoneyError(f"only {CURRENCY} is supported, got {self.currency!r}")
        object.__setattr__(self, "amount", parse_amount(self.amount, allow_zero=True))

    @classmethod
    def of(cls, value: str | int | Decimal) -> Money:
        return cls(Decimal(str(value)))

    @classmethod
    def zero(cls) -> Money:
        return cls(Decimal("0.00"))

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        if other.amount > self.amount:
            raise MoneyError(f"{self} - {other} would be negative")
        return Money(self.amount - other.amount)

    def minus_floor_zero(self, other: Money) -> Money:
        """``self - other`` but never below zero (a deductible larger than the amount)."""
        return Money(max(self.amount - other.amount, Decimal("0.00")))

    def min(self, other: Money) -> Money:
        return self if self.amount <= other.amount else other

    def is_zero(self) -> bool:
        return self.amount == 0

    def cents(self) -> int:
        return int((self.amount * 100).to_integral_value(ROUND_HALF_EVEN))

    def __str__(self) -> str:
        return f"{self.amount:.2f}"


def _validate_amount(value: Any) -> Decimal:
    try:
        return parse_amount(value)
    except MoneyError as exc:
        raise ValueError(str(exc)) from exc


Amount = Annotated[
    Decimal,
    BeforeValidator(_validate_amount),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="always"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{1,6}(\.\d{1,2})?$",
            "description": "USD amount, a decimal string with at most two places, "
            "greater than 0 and at most 999999.99",
            "examples": ["125.00"],
        }
    ),
]
"""Positive USD amount field for API schemas and message contracts."""
