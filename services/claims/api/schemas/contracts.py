"""Contract bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import EmailStr, Field

from services.claims.api.schemas.common import Address, Mobile, MoneyOut, example
from services.claims.domain.contract import (
    Brand,
    ContractStatus,
    CookType,
    InstallType,
    ItemKind,
    Limits,
)
from services.claims.service.records import ContractRecord, CoveredItemRecord
from shared.money import Amount, FeeAmount, Money
from shared.schemas import Input, Output


class LimitsIn(Input):
    # A plan may have no deductible: zero is a valid fee, unlike every other amount.
    service_fee: FeeAmount = Field(description="Deductible; BYOP reimbursements are paid less it.")
    per_claim_cap: Amount = Field(examples=["1000.00"])
    annual_aggregate: Amount = Field(examples=["10000.00"])
    replacement_credit: Amount | None = Field(
        default=None, description="The one-time credit when only replacement is possible; "
        "one claim credit may use it, once.", examples=["250.00"],
    )
    trade_deductibles: dict[ItemKind, FeeAmount] = Field(
        default_factory=dict, description="Deductibles of trades that differ from service_fee.",
        examples=[{"hvac": "150.00"}],
    )

    def to_domain(self) -> Limits:
        return Limits(Money(self.service_fee), Money(self.per_claim_cap),
                      Money(self.annual_aggregate),
                      None if self.replacement_credit is None else Money(self.replacement_credit),
                      {trade.value: Money(fee) for trade, fee in self.trade_deductibles.items()})


class CoveredItemIn(Input):
    kind: ItemKind
    description: str = Field(min_length=1, max_length=200, examples=["Over-the-range microwave"])
    model: str | None = Field(default=None, max_length=64, examples=["WMH31017HS"])
    serial: str | None = Field(default=None, max_length=64, examples=["SN-0042"])
    install_type: InstallType | None = Field(default=None, examples=["over_the_range"])
    cook_type: CookType | None = Field(default=None, examples=["standard"])


class ContractIn(Input):
    model_config = example(
        {"customer_id": "cust-1001", "brand": "cinch", "holder_name": "Jane Doe",
         "email": "jane.doe@homemail.net", "mobile": "+15125550123",
         "mailing_address": {"line1": "12 Elm St", "city": "Austin", "state": "TX",
                             "zip": "78701"},
         "limits": {"service_fee": "100.00", "per_claim_cap": "1000.00",
                    "annual_aggregate": "10000.00", "replacement_credit": "250.00",
                    "trade_deductibles": {"hvac": "150.00"}},
         "covered_items": [{"kind": "microwave", "description": "Over-the-range microwave",
                            "model": "WMH31017HS", "serial": "SN-0042",
                            "install_type": "over_the_range", "cook_type": "standard"}]}
    )

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
    replacement_credit: MoneyOut | None
    trade_deductibles: dict[str, str] = Field(examples=[{"hvac": "150.00"}])


class CoveredItemOut(Output):
    id: uuid.UUID
    kind: ItemKind
    description: str
    model: str | None
    serial: str | None
    install_type: InstallType | None
    cook_type: CookType | None

    @classmethod
    def of(cls, row: CoveredItemRecord) -> CoveredItemOut:
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
    def of(cls, row: ContractRecord) -> ContractOut:
        return cls(
            id=row.id, customer_id=row.customer_id, brand=row.brand, status=row.status,
            holder_name=row.holder_name, email=row.email, mobile=row.mobile,
            mailing_address=Address.from_columns(row, "address_"),
            limits=LimitsOut(service_fee=row.service_fee, per_claim_cap=row.per_claim_cap,
                             annual_aggregate=row.annual_aggregate,
                             replacement_credit=row.replacement_credit,
                             trade_deductibles=dict(row.trade_deductibles or {})),
            covered_items=[CoveredItemOut.of(item) for item in row.items],
            created_at=row.created_at,
        )
