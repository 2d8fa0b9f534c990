"""Invoices and payments change themselves through their tables and announce it; the unit of
work turns what they announce into exactly billing's messages. No I/O: plain rows and values."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.adapters.orm import InvoiceRow, PaymentRow
from services.billing.adapters.repositories import PayableInvoice
from services.billing.adapters.unit_of_work import message
from services.billing.domain.allocation import Allocation
from services.billing.domain.errors import IllegalTransition, InvalidInvoice
from services.billing.domain.invoice import Invoice, InvoicePaid, InvoiceStatus, status_for
from services.billing.domain.payment import (
    Payment,
    PaymentReceived,
    PaymentRefunded,
    PaymentStatus,
    Reversal,
    received,
)
from shared.domain.events import DomainEvent
from shared.messaging.contracts import InvoicePaidV1, PaymentReceivedV1, PaymentRefundedV1
from shared.money import Money

AT = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
ACCOUNT = uuid.UUID(int=7)
cents = st.integers(min_value=1, max_value=500_000)


def dollars(cents_: int) -> Money:
    return Money(Decimal(cents_) / 100)


def invoice_row(amount: str = "100.00", open_balance: str | None = None,
                status: InvoiceStatus | None = None) -> InvoiceRow:
    total, left = Money.of(amount), Money.of(open_balance or amount)
    return InvoiceRow(
        id=uuid.uuid4(), account_id=ACCOUNT, number="INV-00000001",
        invoice_date=date(2026, 10, 1), due_date=date(2026, 10, 31), amount=total.amount,
        open_balance=left.amount, status=status or status_for(total, left),
        payable_online=True, created_by="agent-1", source_ref="job:j-1",
    )


def payable(amount_cents: int, open_cents: int) -> PayableInvoice:
    amount, left = dollars(amount_cents), dollars(open_cents)
    return PayableInvoice(uuid.uuid4(), "INV-00000002", date(2026, 10, 1), amount.amount,
                          left.amount, status_for(amount, left), ACCOUNT)


def test_the_behaviour_mixins_bring_no_attributes_of_their_own() -> None:
    # Safe for SQLAlchemy's declarative scan: nothing for it to map, nothing per instance.
    for mixin in (Invoice, Payment):
        assert mixin.__slots__ == ()
        assert vars(mixin).get("__annotations__", {}) == {}
    assert set(InvoiceRow.__mapper__.columns.keys()) == {
        column.name for column in InvoiceRow.__table__.columns}


@given(st.data(), cents)
def test_applying_a_payment_moves_the_balance_and_announces_only_a_paid_invoice(
    data: st.DataObject, amount_cents: int,
) -> None:
    open_cents = data.draw(st.integers(1, amount_cents))
    applied_cents = data.draw(st.integers(1, open_cents))
    invoice = payable(amount_cents, open_cents)
    announced = invoice.apply_payment(dollars(applied_cents), at=AT)
    assert invoice.open_balance == dollars(open_cents - applied_cents).amount
    assert invoice.status is status_for(dollars(amount_cents), Money(invoice.open_balance))
    if applied_cents == open_cents:
        assert invoice.status is InvoiceStatus.PAID
        assert announced == [InvoicePaid(invoice.id, invoice.number, ACCOUNT, invoice.amount,
                                         AT)]
    else:
        assert invoice.status is InvoiceStatus.PARTIALLY_PAID
        assert announced == []


def test_more_than_the_open_balance_is_refused_and_nothing_changes() -> None:
    invoice = payable(10_000, 4_000)
    with pytest.raises(InvalidInvoice):
        invoice.apply_payment(Money.of("40.01"), at=AT)
    assert (invoice.open_balance, invoice.status) == (Decimal("40.00"),
                                                      InvoiceStatus.PARTIALLY_PAID)


@given(cents, st.data())
def test_reversing_a_payment_restores_the_invoice(amount_cents: int, data: st.DataObject
                                                  ) -> None:
    applied = dollars(data.draw(st.integers(1, amount_cents)))
    invoice = invoice_row(str(dollars(amount_cents)))
    invoice.apply_payment(applied, at=AT)
    invoice.reverse_payment(applied, at=AT)
    assert (invoice.open_balance, invoice.status) == (dollars(amount_cents).amount,
                                                      InvoiceStatus.OPEN)
    assert invoice.updated_at == AT


def test_a_staff_void_stamps_the_invoice_and_only_an_untouched_one() -> None:
    invoice = invoice_row()
    invoice.void(reason="voided by agent-1", at=AT)
    assert (invoice.status, invoice.voided_at, invoice.updated_at, invoice.void_reason) == (
        InvoiceStatus.VOID, AT, AT, "voided by agent-1")
    partly = invoice_row(open_balance="60.00")
    with pytest.raises(IllegalTransition):
        partly.void(reason="voided by agent-1", at=AT)
    assert partly.status is InvoiceStatus.PARTIALLY_PAID and partly.voided_at is None


def test_a_cancelled_jobs_fee_is_voided_or_kept_saying_why() -> None:
    unpaid = invoice_row()
    assert unpaid.cancel_job_fee("no visit", [], at=AT).voided
    assert (unpaid.status, unpaid.voided_at, unpaid.void_reason) == (
        InvoiceStatus.VOID, AT, "service job cancelled: no visit")
    paid = invoice_row(open_balance="60.00")
    kept = paid.cancel_job_fee("no visit", ["pay-1"], at=AT)
    assert not kept.voided and paid.status is InvoiceStatus.PARTIALLY_PAID
    assert paid.void_refused_reason == kept.refused
    assert kept.refused is not None and kept.refused.startswith("paid 40.00 of 100.00")
    assert (paid.voided_at, paid.updated_at) == (None, AT)
    before = (unpaid.updated_at, unpaid.void_reason)
    unpaid.cancel_job_fee("again", [], at=datetime(2027, 1, 1, tzinfo=UTC))
    assert (unpaid.updated_at, unpaid.void_reason) == before  # void already: unchanged


def payment_row(status: PaymentStatus = PaymentStatus.SUCCEEDED) -> PaymentRow:
    return PaymentRow(
        id=uuid.uuid4(), account_id=ACCOUNT, contact_id=uuid.uuid4(),
        amount=Decimal("125.00"), status=status, gateway_charge_id="ch_1", method_type="card",
        method_last4="4242", billing_name="Pat", billing_postal_code="78701", received_at=AT,
        balance_after=Decimal("0.00"),
    )


def test_a_payment_is_refunded_once_and_announces_its_reversals() -> None:
    payment = payment_row()
    payment.check_refund()
    reversals = [Reversal(uuid.uuid4(), Decimal("100.00")), Reversal(uuid.uuid4(),
                                                                      Decimal("25.00"))]
    announced = payment.refund(refund_id="re_1", by="payables-1", reason="duplicate", at=AT,
                               reversals=reversals)
    assert (payment.status, payment.gateway_refund_id, payment.refunded_at,
            payment.refunded_by, payment.refund_reason) == (
        PaymentStatus.REFUNDED, "re_1", AT, "payables-1", "duplicate")
    assert announced == [PaymentRefunded(payment.id, ACCOUNT, Decimal("125.00"), reversals,
                                         "duplicate", AT)]
    with pytest.raises(IllegalTransition, match="cannot 'refund'"):
        payment.check_refund()
    with pytest.raises(IllegalTransition):
        payment.refund(refund_id="re_2", by="payables-1", reason="again", at=AT, reversals=[])
    assert payment.gateway_refund_id == "re_1"


def test_each_event_becomes_its_message() -> None:
    payment, invoice_id = payment_row(), uuid.uuid4()
    allocation = Allocation(str(invoice_id), "INV-00000001", Money.of("125.00"), Money.zero())
    assert message(received(payment, [allocation])) == PaymentReceivedV1(
        payment_id=str(payment.id), account_id=str(ACCOUNT), amount=Decimal("125.00"),
        allocations=[{"invoice_id": str(invoice_id), "invoice_number": "INV-00000001",
                      "amount": "125.00"}],
        received_at=AT,
    )
    assert message(InvoicePaid(invoice_id, "INV-00000001", ACCOUNT, Decimal("125.00"), AT)
                   ) == InvoicePaidV1(invoice_id=str(invoice_id), invoice_number="INV-00000001",
                                      account_id=str(ACCOUNT), amount=Decimal("125.00"),
                                      paid_at=AT)
    refunded = PaymentRefunded(payment.id, ACCOUNT, Decimal("125.00"),
                               [Reversal(invoice_id, Decimal("125"))], "duplicate", AT)
    assert message(refunded) == PaymentRefundedV1(
        payment_id=str(payment.id), account_id=str(ACCOUNT), amount=Decimal("125.00"),
        reversals=[{"invoice_id": str(invoice_id), "amount": "125.00"}], reason="duplicate",
        refunded_at=AT,
    )
    assert isinstance(received(payment, []), PaymentReceived)


def test_an_event_billing_has_no_message_for_is_refused() -> None:
    with pytest.raises(TypeError, match="does not publish DomainEvent"):
        message(DomainEvent())
