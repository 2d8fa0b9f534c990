"""Contract bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, EmailStr, Field, WithJsonSchema

from services.claims.adapters.orm import ContractRow, CoveredItemRow
from services.claims.api.schemas.common import Address, Input, Mobile, MoneyOut, Output
from services.claims.domain.contract import Brand, ContractStatus, ItemKind, Limits
from shared.money import Amount, Money, parse_amount

# A plan may have no deductible: zero is a valid fee, unlike every other amount.
Fee = Annotated[
    Decimal,
    BeforeValidator(lambda value: parse_amount(value, allow_zero=True)),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,6}(\.\d{1,2})?$",
                    "description": "USD amount, zero allowed", "examples": ["100.00"]}),
]


class LimitsIn(Input):
    service_fee: Fee = Field(description="Deductible; BYOP reimbursements are paid less it.")
    per_claim_cap: Amount = Field(examples=["1000.00"])
    annual_aggregate: Amount = Field(examples=["10000.00"])

    def to_domain(self) -> Limits:
        return Limits(Money(self.service_fee), Money(self.per_claim_cap),
                      Money(self.annual_aggregate))


class CoveredItemIn(Input):
    kind: ItemKind
    description: str = Field(min_length=1, max_length=200, examples=["Over-the-range microwave"])
    model: str | None = Field(default=None, max_length=64, examples=["WMH31017HS"])
    serial: str | None = Field(default=None, max_length=64)


class ContractIn(Input):
    customer_id: str = Field(min_length=1, max_length=64, examples=["cust-1001"])
    brand: Brand
    status: ContractStatus = ContractStatus.ACTIVE
    holder_name: str = Field(min_length=1, max_length=120, examples=["Jane Doe"])
    email: EmailStr | None = Field(default=None, examples=["jane.doe@homemail.net"])
    mobile: Mobile | None = None
    mailing_address: Address | None = None
    limits: LimitsIn
    covered_items: list[CoveredItemIn] = Field(min_length=1, max_length=50)


class LimitsOut(Output):
    service_fee: MoneyOut
    per_claim_cap: MoneyOut
    annual_aggregate: MoneyOut


class CoveredItemOut(Output):
    id: uuid.UUID
    kind: ItemKind
    description: str
    model: str | None
    serial: str | None

    @classmethod
    def of(cls, row: CoveredItemRow) -> CoveredItemOut:
        return cls.model_validate(row)


class ContractOut(Output):
    id: uuid.UUID
    customer_id: str = Field(examples=["cust-1001"])
    brand: Brand
    status: ContractStatus
    holder_name: str = Field(examples=["Jane Doe"])
    email: str | None = Field(examples=["jane.doe@homemail.net"])
    mobile: str | None = Field(examples=["+15125550123"])
    mailing_address: Address | None
    limits: LimitsOut
    covered_items: list[CoveredItemOut]
    created_at: datetime

    @classmethod
    def of(cls, row: ContractRow) -> ContractOut:
        return cls(
            id=row.id, customer_id=row.customer_id, brand=row.brand, status=row.status,
            holder_name=row.holder_name, email=row.email, mobile=row.mobile,
            mailing_address=Address.from_columns(row, "address_"),
            limits=LimitsOut(service_fee=row.service_fee, per_claim_cap=row.per_claim_cap,
                             annual_aggregate=row.annual_aggregate),
            covered_items=[CoveredItemOut.of(item) for item in row.items],
            created_at=row.created_at,
        )
