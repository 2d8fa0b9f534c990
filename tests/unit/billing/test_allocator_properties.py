"""Properties of the oldest-first allocation (seed 002) on the code the portal payment runs.

Generated accounts are the rows the use case reads (``PayableInvoice``); they go through its
``open_invoice``, ``allocate`` and ``applied_lines`` (each invoice's ``apply_payment``: the
balances and statuses the payment writes, and the invoices it announces paid), and a refund's
``invoice.reverse``. Replaying a payment's key is a property of the
idempotency store in PostgreSQL: ``tests/integration/billing/test_payment_properties.py``.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.billing.adapters.repositories import AppliedLine, PayableInvoice
from services.billing.domain import invoice as invoice_rules
from services.billing.domain.allocation import Allocation, age_key, allocate, payable_balance
from services.billing.domain.errors import NothingToPay, PaymentExceedsBalance
from services.billing.domain.invoice import InvoicePaid, InvoiceStatus
from services.billing.service.payments import applied_lines, open_invoice
from shared.money import Money

cents = st.integers(min_value=1, max_value=500_000)  # up to $5,000.00 per invoice
EPOCH = date(2026, 1, 1)
ACCOUNT = uuid.UUID(int=0)
PAID_AT = datetime(2026, 6, 1, tzinfo=UTC)

Account = list[PayableInvoice]


def dollars(cents_: int) -> Money:
    return Money(Decimal(cents_) / 100)


@st.composite
def payable_invoice(draw: st.DrawFn, n: int) -> PayableInvoice:
    open_cents = draw(cents)
    paid_cents = draw(st.integers(min_value=0, max_value=100_000))  # already paid on it
    amount, open_balance = dollars(open_cents + paid_cents), dollars(open_cents)
    return PayableInvoice(
        id=uuid.UUID(int=n), number=f"INV-{n:06d}",
        # few distinct dates, so equal dates (ordered by number) happen often
        invoice_date=EPOCH + timedelta(days=draw(st.integers(0, 3))),
        amount=amount.amount, open_balance=open_balance.amount,
        status=invoice_rules.status_for(amount, open_balance), account_id=ACCOUNT,
    )


@st.composite
def accounts(draw: st.DrawFn) -> Account:
    count = draw(st.integers(min_value=1, max_value=8))
    numbers = draw(st.lists(st.integers(1, 999), min_size=count, max_size=count, unique=True))
    return [draw(payable_invoice(n)) for n in numbers]


@st.composite
def account_and_payment(draw: st.DrawFn) -> tuple[Account, Money]:
    account = draw(accounts())
    balance_cents = int(sum(row.open_balance for row in account) * 100)
    paid = draw(st.integers(min_value=1, max_value=balance_cents))
    return account, dollars(paid)


def allocate_over(account: Account, payment: Money) -> list[Allocation]:
    return allocate(payment, [open_invoice(row) for row in account])


def pay_announcing(account: Account, payment: Money
                   ) -> tuple[list[Allocation], list[AppliedLine], list[InvoicePaid]]:
    """What the use case computes before it writes the payment's rows, on copies of the rows
    (the payment applies its allocations to the invoices it read: ``account`` stays as
    generated)."""
    allocations = allocate_over(account, payment)
    lines, paid = applied_lines(allocations, {str(row.id): replace(row) for row in account},
                                at=PAID_AT)
    return allocations, lines, paid


def pay(account: Account, payment: Money) -> tuple[list[Allocation], list[AppliedLine]]:
    allocations, lines, _ = pay_announcing(account, payment)
    return allocations, lines


@given(account_and_payment())
def test_applied_amounts_sum_to_the_payment(case: tuple[Account, Money]) -> None:
    account, payment = case
    _, lines = pay(account, payment)
    assert sum(line.amount for line in lines) == payment.amount


@given(account_and_payment())
def test_no_invoice_goes_below_zero_or_above_its_balance(case: tuple[Account, Money]) -> None:
    account, payment = case
    before = {row.id: row.open_balance for row in account}
    allocations, lines = pay(account, payment)
    for allocation, line in zip(allocations, lines, strict=True):
        assert Decimal("0.00") < line.amount <= before[line.invoice_id]
        assert line.invoice_remaining == before[line.invoice_id] - line.amount
        assert line.invoice_remaining == allocation.remaining.amount
        assert Decimal("0.00") <= line.invoice_remaining <= before[line.invoice_id]


@given(account_and_payment())
def test_older_invoices_are_settled_before_newer_ones(case: tuple[Account, Money]) -> None:
    account, payment = case
    _, lines = pay(account, payment)
    ordered = sorted((open_invoice(row) for row in account), key=age_key)
    touched = [str(line.invoice_id) for line in lines]
    # the lines are a prefix of the invoices in age order, in that order ...
    assert touched == [i.invoice_id for i in ordered[: len(touched)]]
    assert [line.position for line in lines] == list(range(len(lines)))
    # ... and every one but the last is paid in full
    for line in lines[:-1]:
        assert line.invoice_remaining == Decimal("0.00")
        assert line.invoice_status is InvoiceStatus.PAID


@given(account_and_payment(), st.randoms())
def test_input_order_does_not_matter(case: tuple[Account, Money], rnd: object) -> None:
    account, payment = case
    shuffled = list(account)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert pay(shuffled, payment) == pay(account, payment)


@given(account_and_payment())
def test_reversal_restores_every_invoice_exactly(case: tuple[Account, Money]) -> None:
    account, payment = case
    rows = {row.id: row for row in account}
    _, lines = pay(account, payment)
    for line in lines:
        row = rows[line.invoice_id]
        # what a refund does to each invoice its payment was applied to
        reopened, status = invoice_rules.reverse(
            line.invoice_status, Money(row.amount), Money(line.invoice_remaining),
            Money(line.amount),
        )
        assert (reopened.amount, status) == (row.open_balance, row.status)


@given(account_and_payment())
def test_the_invoices_announced_paid_are_those_left_at_zero(case: tuple[Account, Money]
                                                          ) -> None:
    account, payment = case
    rows = {row.id: row for row in account}
    _, lines, paid = pay_announcing(account, payment)
    assert paid == [
        InvoicePaid(line.invoice_id, rows[line.invoice_id].number, ACCOUNT,
                    rows[line.invoice_id].amount, PAID_AT)
        for line in lines if line.invoice_remaining == Decimal("0.00")]
    assert all(line.invoice_status is InvoiceStatus.PAID for line in lines
               if line.invoice_remaining == Decimal("0.00"))


@given(account_and_payment())
def test_applying_changes_the_invoices_read_to_what_the_payment_writes(
    case: tuple[Account, Money],
) -> None:
    account, payment = case
    invoices = {str(row.id): replace(row) for row in account}
    allocations = allocate_over(account, payment)
    lines, _ = applied_lines(allocations, invoices, at=PAID_AT)
    for line in lines:
        invoice = invoices[str(line.invoice_id)]
        assert (invoice.open_balance, invoice.status) == (line.invoice_remaining,
                                                          line.invoice_status)
    touched = {line.invoice_id for line in lines}
    assert [invoices[str(row.id)] for row in account if row.id not in touched] == [
        row for row in account if row.id not in touched]


@given(accounts(), st.integers(min_value=1, max_value=10_000))
def test_more_than_the_balance_is_refused(account: Account, extra: int) -> None:
    invoices = [open_invoice(row) for row in account]
    payment_amount = payable_balance(invoices) + Decimal(extra) / 100
    assume(payment_amount <= Decimal("999999.99"))
    with pytest.raises(PaymentExceedsBalance, match="above the payable balance"):
        allocate(Money(payment_amount), invoices)


def row(n: int, day: date, open_balance: str, amount: str | None = None) -> PayableInvoice:
    total, left = Money.of(amount or open_balance), Money.of(open_balance)
    return PayableInvoice(uuid.UUID(int=n), f"INV-{n:06d}", day, total.amount, left.amount,
                          invoice_rules.status_for(total, left), ACCOUNT)


def test_paying_the_whole_balance_settles_everything() -> None:
    account = [row(2, EPOCH, "40.00"), row(1, EPOCH, "60.00", amount="75.00")]
    _, lines = pay(account, Money.of("100.00"))
    assert [line.invoice_status for line in lines] == [InvoiceStatus.PAID] * 2


def test_same_date_orders_by_number_and_the_last_is_partial() -> None:
    account = [row(3, EPOCH + timedelta(days=1), "50.00"), row(2, EPOCH, "30.00"),
               row(1, EPOCH, "20.00")]
    _, lines = pay(account, Money.of("60.00"))
    assert [(line.invoice_id.int, str(line.amount), str(line.invoice_remaining),
             line.invoice_status) for line in lines] == [
        (1, "20.00", "0.00", InvoiceStatus.PAID),
        (2, "30.00", "0.00", InvoiceStatus.PAID),
        (3, "10.00", "40.00", InvoiceStatus.PARTIALLY_PAID),
    ]


def test_no_open_invoice_means_nothing_to_pay() -> None:
    with pytest.raises(NothingToPay):
        allocate_over([row(1, EPOCH, "0.00", amount="10.00")], Money.of("1.00"))
