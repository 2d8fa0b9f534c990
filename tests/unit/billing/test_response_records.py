"""The API's responses render any invoice record, not only an ORM row: a plain fake is enough."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.billing.api.schemas import InvoiceOut
from services.billing.domain.invoice import InvoiceStatus
from services.billing.service.records import InvoiceRecord


@dataclass(frozen=True)
class FakeInvoice:
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    account_id: uuid.UUID = field(default_factory=uuid.uuid4)
    number: str = "INV-00000042"
    invoice_date: date = date(2026, 11, 1)
    due_date: date = date(2026, 12, 1)
    amount: Decimal = Decimal("125")
    open_balance: Decimal = Decimal("25.5")
    status: InvoiceStatus = InvoiceStatus.PARTIALLY_PAID
    payable_online: bool = True
    description: str | None = "Service fee"
    source_ref: str | None = None
    voided_at: datetime | None = None
    void_reason: str | None = None
    void_refused_reason: str | None = None


def test_an_invoice_renders_from_any_record() -> None:
    record: InvoiceRecord = FakeInvoice()
    body = InvoiceOut.of(record).model_dump(mode="json")
    assert (body["number"], body["amount"], body["open_balance"], body["status"]) == (
        "INV-00000042", "125.00", "25.50", "partially_paid")
    assert (body["invoice_date"], body["voided_at"]) == ("2026-11-01", None)
