"""The API's responses render any contract record, not only an ORM row: a plain fake is enough."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from services.claims.api.schemas.contracts import ContractOut
from services.claims.domain.contract import (
    Brand,
    ContractStatus,
    CookType,
    InstallType,
    ItemKind,
)
from services.claims.service.records import ContractRecord, CoveredItemRecord


@dataclass(frozen=True)
class FakeCoveredItem:
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    kind: ItemKind = ItemKind.MICROWAVE
    description: str = "Over-the-range microwave"
    model: str | None = "WMH31017HS"
    serial: str | None = None
    install_type: InstallType | None = InstallType.OVER_THE_RANGE
    cook_type: CookType | None = CookType.STANDARD


@dataclass(frozen=True)
class FakeContract:
    items: Sequence[CoveredItemRecord]
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    customer_id: str = "cust-1001"
    brand: Brand = Brand.CINCH
    status: ContractStatus = ContractStatus.ACTIVE
    holder_name: str = "Jane Doe"
    email: str | None = "jane.doe@homemail.net"
    mobile: str | None = None
    address_line1: str | None = "12 Elm St"
    address_line2: str | None = None
    address_city: str | None = "Austin"
    address_state: str | None = "TX"
    address_zip: str | None = "78701"
    service_fee: Decimal = Decimal("100")
    per_claim_cap: Decimal = Decimal("2500")
    annual_aggregate: Decimal = Decimal("10000")
    replacement_credit: Decimal | None = None
    trade_deductibles: dict[str, str] = field(default_factory=lambda: {"hvac": "150.00"})
    created_at: datetime = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_a_contract_renders_from_any_record_with_its_items_and_address() -> None:
    item = FakeCoveredItem()
    record: ContractRecord = FakeContract(items=[item])
    body = ContractOut.of(record).model_dump(mode="json")
    assert body["mailing_address"] == {"line1": "12 Elm St", "line2": None, "city": "Austin",
                                       "state": "TX", "zip": "78701"}
    assert body["limits"] == {"service_fee": "100.00", "per_claim_cap": "2500.00",
                              "annual_aggregate": "10000.00", "replacement_credit": None,
                              "trade_deductibles": {"hvac": "150.00"}}
    assert [(i["id"], i["kind"], i["install_type"]) for i in body["covered_items"]] == [
        (str(item.id), "microwave", "over_the_range")]


def test_an_incomplete_address_is_not_shown() -> None:
    body = ContractOut.of(FakeContract(items=[], address_city=None)).model_dump(mode="json")
    assert body["mailing_address"] is None
