"""Money: ``Decimal`` with exactly two places in USD. Never float.

``Money`` is the value object used by domain code; ``Amount`` is the pydantic field type used by
API schemas and message contracts (serialised as a string such as ``"125.00"`` so no JSON
parser turns it into a float).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

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
    # Bounded first: quantizing a value of more than 26 integer digits raises InvalidOperation.
    if amount < 0:
        raise MoneyError("amount must be greater than zero")
    if amount > MAX_AMOUNT:
        raise MoneyError(f"amount must be at most {MAX_AMOUNT}")
    if amount != amount.quantize(CENT):
        raise MoneyError("amount must have at most two decimal places")
    if amount == 0 and not allow_zero:
        raise MoneyError("amount must be greater than zero")
    return amount.quantize(CENT)


def json_number(amount: Decimal) -> float:
    """An amount for a provider whose published API types it as a JSON number (J.P. Morgan's
    ``paymentAmount``, Lob's ``amount``), at that wire boundary only. A valid amount has two
    decimals and at most eight significant digits, so the float's shortest repr, which is what
    ``json`` writes, is exactly its decimal text; readers take that text back into a Decimal
    (``parse_amount(Decimal(str(value)))``), never the float itself."""
    return float(parse_amount(amount))


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


# The wire format of every amount: ASCII digits only (``\d`` would take "١٢٣"), at most six
# before the point (MAX_AMOUNT), at most two after, nothing else (no sign, exponent, underscore,
# whitespace). Checked before ``Decimal`` sees the text: ``Decimal("1e30").quantize(CENT)``
# raises ``InvalidOperation`` instead of saying the amount is invalid.
AMOUNT_PATTERN = r"^[0-9]{1,6}(\.[0-9]{1,2})?$"
_AMOUNT_TEXT = re.compile(AMOUNT_PATTERN.removeprefix("^").removesuffix("$"))


def parse_amount_text(text: str, *, allow_zero: bool = False) -> Decimal:
    """An amount sent as text, which must match ``AMOUNT_PATTERN`` exactly."""
    if not _AMOUNT_TEXT.fullmatch(text):
        raise MoneyError("amount must be a string of digits with at most two decimals, "
                         f"at most {MAX_AMOUNT} (e.g. \"125.00\")")
    return parse_amount(Decimal(text), allow_zero=allow_zero)


def _strict(*, allow_zero: bool) -> Callable[[Any], Decimal]:
    def validate(value: Any) -> Decimal:
        # A Decimal comes only from Python code (a row, a Money); a request or a message is
        # JSON, whose amounts must be strings: a JSON number is refused, like any other type.
        try:
            if isinstance(value, Decimal):
                return parse_amount(value, allow_zero=allow_zero)
            if isinstance(value, str):
                return parse_amount_text(value, allow_zero=allow_zero)
        except MoneyError as exc:
            raise ValueError(str(exc)) from exc
        raise ValueError("amount must be a JSON string such as \"125.00\", not a "
                         + type(value).__name__)

    return validate


def _serialise(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _schema(description: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN,
                           "description": description, "examples": ["125.00"]})


Amount = Annotated[
    Decimal,
    PlainValidator(_strict(allow_zero=False)),
    PlainSerializer(_serialise, return_type=str, when_used="always"),
    _schema("USD amount: a string of ASCII digits with at most two decimals (no exponent, "
            "sign or spaces), greater than 0 and at most 999999.99"),
]
"""Positive USD amount field for API schemas and message contracts."""

FeeAmount = Annotated[
    Decimal,
    PlainValidator(_strict(allow_zero=True)),
    PlainSerializer(_serialise, return_type=str, when_used="always"),
    _schema("USD amount, zero allowed: a string of ASCII digits with at most two decimals "
            "(no exponent, sign or spaces), at most 999999.99"),
]
"""The same strict amount where zero is meaningful (a deductible a plan may not have)."""
