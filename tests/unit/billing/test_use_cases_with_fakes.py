"""Billing's use cases over fakes, without a database: they reach it only through the
repositories their unit of work opens, so a unit of work holding in-memory rows runs them in
milliseconds. What a commit would send is the messages ``BillingUnitOfWork.publish`` makes of
the recorded events."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Self, cast

import pytest

from services.billing.adapters.gateway import Charged, Declined, Refunded
from services.billing.adapters.orm import (
    AccountRow,
    AllocationKind,
    AllocationRow,
    FeeCancellationRow,
    InvoiceRow,
    PaymentRow,
)
from services.billing.adapters.repositories import (
    AccountRepository,
    FeeCancellationRepository,
    InvoiceRepository,
    PaymentRepository,
)
from services.billing.adapters.unit_of_work import BillingUnitOfWork
from services.billing.domain.errors import IllegalTransition
from services.billing.domain.invoice import InvoiceStatus
from services.billing.domain.payment import PaymentStatus
from services.billing.service.context import ServiceContext
from services.billing.service.invoices import void_invoice
from services.billing.service.refunds import refund_payment
from services.billing.service.views import PaymentView
from shared.auth import Principal, Role
from shared.idempotency import IdempotencyKeys
from shared.messaging.contracts import Contract, PaymentRefundedV1
from shared.messaging.envelope import Envelope
from shared.money import Money
from shared.uow import Repository, Sessions

NO_SESSION: Any = None  # the fakes keep their rows themselves
STAFF = Principal(subject="payables-1", roles=frozenset({Role.PAYABLES}))
AT = datetime(2026, 11, 2, tzinfo=UTC)


@dataclass
class Rows:
    accounts: dict[uuid.UUID, AccountRow] = field(default_factory=dict)
    invoices: dict[uuid.UUID, InvoiceRow] = field(default_factory=dict)
    payments: dict[uuid.UUID, PaymentRow] = field(default_factory=dict)
    allocations: list[AllocationRow] = field(default_factory=list)
    cancellations: dict[str, FeeCancellationRow] = field(default_factory=dict)
    locked: list[uuid.UUID] = field(default_factory=list)


class OverRows(Repository):
    """A fake repository: it reads and writes the in-memory rows, not a session."""

    def __init__(self, rows: Rows) -> None:
        super().__init__(NO_SESSION)
        self.rows = rows


class FakeAccounts(OverRows, AccountRepository):
    async def get(self, account_id: uuid.UUID) -> AccountRow | None:
        return self.rows.accounts.get(account_id)

    async def lock(self, account_id: uuid.UUID) -> None:
        self.rows.locked.append(account_id)


class FakeInvoices(OverRows, InvoiceRepository):
    async def get(self, invoice_id: uuid.UUID) -> InvoiceRow:
        return self.rows.invoices[invoice_id]

    async def reload(self, invoice: InvoiceRow) -> None:
        """Nothing to reload: the fake's rows are the rows."""


class FakeCancellations(OverRows, FeeCancellationRepository):
    async def get(self, source_ref: str) -> FeeCancellationRow | None:
        return self.rows.cancellations.get(source_ref)


class FakePayments(OverRows, PaymentRepository):
    async def get(self, payment_id: uuid.UUID) -> PaymentRow:
        return self.rows.payments[payment_id]

    async def lock(self, payment_id: uuid.UUID) -> PaymentRow:
        return self.rows.payments[payment_id]

    async def allocations(self, payment_ids: Sequence[uuid.UUID],
                          kind: AllocationKind | None = None
                          ) -> Sequence[tuple[AllocationRow, InvoiceRow]]:
        return [(row, self.rows.invoices[row.invoice_id]) for row in self.rows.allocations
                if row.payment_id in payment_ids and kind in (None, row.kind)]

    def add_reversal(self, applied: AllocationRow, invoice_remaining: Decimal, at: datetime
                     ) -> None:
        self.rows.allocations.append(AllocationRow(
            payment_id=applied.payment_id, invoice_id=applied.invoice_id,
            kind=AllocationKind.REVERSE, position=applied.position, amount=applied.amount,
            invoice_remaining=invoice_remaining, created_at=at))

    async def unrefunded_of(self, invoice_id: uuid.UUID) -> Sequence[uuid.UUID]:
        return [row.payment_id for row in self.rows.allocations
                if row.invoice_id == invoice_id and row.kind is AllocationKind.APPLY
                and self.rows.payments[row.payment_id].status is PaymentStatus.SUCCEEDED]


class FakeUnitOfWork(BillingUnitOfWork):
    """The billing unit of work over ``Rows``: ``sent`` holds what a commit would stage."""

    def __init__(self, rows: Rows) -> None:
        super().__init__(cast(Sessions, NO_SESSION), "billing")
        self.rows = rows
        self.sent: list[Contract] = []
        self.committed = False

    def bind(self, session: Any) -> None:
        self.accounts = FakeAccounts(self.rows)
        self.invoices = FakeInvoices(self.rows)
        self.fee_cancellations = FakeCancellations(self.rows)
        self.payments = FakePayments(self.rows)
        self.keys = cast(IdempotencyKeys, NO_SESSION)  # these use cases run without a key

    async def __aenter__(self) -> Self:
        self.bind(NO_SESSION)
        return self

    async def __aexit__(self, *_: object) -> None:
        """Nothing to roll back: an uncommitted change is simply not ``committed``."""

    def emit(self, message: Contract, *, correlation_id: str | None = None) -> Envelope:
        self.sent.append(message)
        return Envelope.wrap(message, producer=self.producer)

    async def commit(self) -> None:
        events, self._events = self._events, []
        await self.publish(events)
        self.committed = True


@dataclass(frozen=True)
class FakeContext(ServiceContext):
    unit: FakeUnitOfWork | None = None

    def uow(self, *, correlation_id: str | None = None, caused_by: Envelope | None = None
            ) -> BillingUnitOfWork:
        assert self.unit is not None
        return self.unit


class Gateway:
    def __init__(self) -> None:
        self.refunds: list[str] = []

    async def charge(self, key: str, amount: Money, method_token: str, description: str
                     ) -> Charged | Declined:
        raise AssertionError("a refund never charges")

    async def refund(self, key: str, charge_id: str, amount: Money) -> Refunded:
        self.refunds.append(key)
        return Refunded(refund_id=f"re_{len(self.refunds)}")


def context(rows: Rows) -> tuple[FakeContext, FakeUnitOfWork, Gateway]:
    unit, gateway = FakeUnitOfWork(rows), Gateway()
    return FakeContext(cast(Sessions, NO_SESSION), gateway, unit=unit), unit, gateway


def account(rows: Rows) -> AccountRow:
    row = AccountRow(id=uuid.uuid4(), customer_id="cust-1", name="Acme", created_by="agent-1")
    rows.accounts[row.id] = row
    return row


def invoice(rows: Rows, owner: AccountRow, amount: str, open_balance: str,
            status: InvoiceStatus, source_ref: str | None = None) -> InvoiceRow:
    row = InvoiceRow(id=uuid.uuid4(), account_id=owner.id, number=f"INV-{len(rows.invoices):08d}",
                     invoice_date=date(2026, 10, 1), due_date=date(2026, 10, 31),
                     amount=Decimal(amount), open_balance=Decimal(open_balance), status=status,
                     payable_online=True, created_by="agent-1", source_ref=source_ref)
    rows.invoices[row.id] = row
    return row


def paid(rows: Rows, owner: AccountRow, applied: list[tuple[InvoiceRow, str]]) -> PaymentRow:
    payment = PaymentRow(
        id=uuid.uuid4(), account_id=owner.id, contact_id=uuid.uuid4(),
        amount=sum((Decimal(amount) for _, amount in applied), Decimal("0.00")),
        status=PaymentStatus.SUCCEEDED, gateway_charge_id="ch_1", method_type="card",
        method_last4="4242", billing_name="Pat", billing_postal_code="78701", received_at=AT,
        balance_after=Decimal("0.00"))
    rows.payments[payment.id] = payment
    for position, (row, amount) in enumerate(applied):
        rows.allocations.append(AllocationRow(
            payment_id=payment.id, invoice_id=row.id, kind=AllocationKind.APPLY,
            position=position, amount=Decimal(amount), invoice_remaining=row.open_balance,
            created_at=AT))
    return payment


def shown(view: PaymentView) -> dict[str, Any]:
    return {"status": view.payment.status.value,
            "reversed": [str(line[0].amount) for line in view.reversed]}


async def test_a_refund_reverses_its_allocations_and_announces_them() -> None:
    rows = Rows()
    owner = account(rows)
    first = invoice(rows, owner, "100.00", "0.00", InvoiceStatus.PAID)
    second = invoice(rows, owner, "50.00", "30.00", InvoiceStatus.PARTIALLY_PAID)
    payment = paid(rows, owner, [(first, "100.00"), (second, "20.00")])
    app, unit, gateway = context(rows)

    body = await refund_payment(app, STAFF, payment.id, "duplicate", render=shown)

    assert body == {"status": "refunded", "reversed": ["100.00", "20.00"]}
    assert rows.locked == [owner.id] and gateway.refunds == [f"refund-{payment.id}"]
    assert [(i.status, i.open_balance) for i in (first, second)] == [
        (InvoiceStatus.OPEN, Decimal("100.00")), (InvoiceStatus.OPEN, Decimal("50.00"))]
    assert (payment.status, payment.gateway_refund_id, payment.refunded_by) == (
        PaymentStatus.REFUNDED, "re_1", STAFF.subject)
    assert unit.committed
    [message] = unit.sent
    assert isinstance(message, PaymentRefundedV1)
    assert (message.reversals, message.reason) == (
        [{"invoice_id": str(first.id), "amount": "100.00"},
         {"invoice_id": str(second.id), "amount": "20.00"}], "duplicate")


async def test_a_refunded_payment_never_reaches_the_gateway_again() -> None:
    rows = Rows()
    owner = account(rows)
    payment = paid(rows, owner, [(invoice(rows, owner, "10.00", "0.00", InvoiceStatus.PAID),
                                  "10.00")])
    payment.status = PaymentStatus.REFUNDED
    app, unit, gateway = context(rows)
    with pytest.raises(IllegalTransition, match="cannot 'refund'"):
        await refund_payment(app, STAFF, payment.id, "again", render=shown)
    assert gateway.refunds == [] and unit.sent == [] and not unit.committed


async def test_refunding_what_kept_a_cancelled_jobs_fee_owed_voids_it() -> None:
    rows = Rows()
    owner = account(rows)
    fee = invoice(rows, owner, "80.00", "0.00", InvoiceStatus.PAID, source_ref="job:j-1")
    rows.cancellations["job:j-1"] = FeeCancellationRow(
        source_ref="job:j-1", customer_id="cust-1", reason="no visit", cancelled_at=AT)
    payment = paid(rows, owner, [(fee, "80.00")])
    app, _, _ = context(rows)
    await refund_payment(app, STAFF, payment.id, "job cancelled", render=shown)
    assert (fee.status, fee.open_balance, fee.void_reason) == (
        InvoiceStatus.VOID, Decimal("80.00"), "service job cancelled: no visit")


async def test_staff_void_an_untouched_invoice_and_nothing_is_announced() -> None:
    rows = Rows()
    owner = account(rows)
    row = invoice(rows, owner, "40.00", "40.00", InvoiceStatus.OPEN)
    app, unit, _ = context(rows)
    assert await void_invoice(app, STAFF, row.id) is row
    assert (row.status, row.void_reason) == (InvoiceStatus.VOID, "voided by payables-1")
    assert rows.locked == [owner.id] and unit.committed and unit.sent == []
