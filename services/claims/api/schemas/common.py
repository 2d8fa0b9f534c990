"""Shapes several resources share: money out, postal addresses, contact fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from services.claims.domain.payment import MailingAddress
from shared.schemas import Input

MOBILE_PATTERN = r"^\+1\d{10}$"  # what the payout contract (and Zelle) accept

# Responses carry exact amounts that may be zero (a claim credit has no deductible); requests
# use ``shared.money.Amount``, which also validates.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,6}\.\d{2}$", "examples": ["250.00"]}),
]
Mobile = Annotated[str, Field(pattern=MOBILE_PATTERN, examples=["+15125550123"])]


def example(body: dict[str, Any]) -> ConfigDict:
    """A whole request body as OpenAPI's example (merged into ``Input``'s config)."""
    return ConfigDict(json_schema_extra={"examples": [body]})


class Address(Input):
    line1: str = Field(min_length=1, max_length=64, examples=["12 Elm St"])
    line2: str | None = Field(default=None, max_length=64)
    city: str = Field(min_length=1, max_length=64, examples=["Austin"])
    state: str = Field(pattern=r"^[A-Z]{2}$", examples=["TX"])
    zip: str = Field(pattern=r"^\d{5}(-\d{4})?$", examples=["78701"])

    def to_domain(self) -> MailingAddress:
        return MailingAddress(line1=self.line1, line2=self.line2, city=self.city,
                              state=self.state, zip=self.zip)

    @classmethod
    def from_columns(cls, row: Any, prefix: str) -> Address | None:
        """Rows store an address flat (``<prefix>line1`` ...); None unless it is complete."""
        values = {part: getattr(row, f"{prefix}{part}") for part in
                  ("line1", "line2", "city", "state", "zip")}
        if not all(values[part] for part in ("line1", "city", "state", "zip")):
            return None
        return cls.model_construct(**values)
