"""Properties of the oldest-first allocator (seed 002), over generated accounts and payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.billing.domain.allocation import (
    AccountBook,
    OpenInvoice,
    age_key,
    allocate,
    payable_balance,
    settle,
    unsettle,
)
from services.billing.domain.errors import (
    IdempotencyKeyReused,
    NothingToPay,
    PaymentExceedsBalance,
)
from shared.money import Money

cents = st.integers(min_value=1, max_value=500_000)  # up to $5,000.00 per invoice
EPOCH = date(2026, 1, 1)


@st.composite
def invoices(draw: st.DrawFn, min_size: int = 1) -> list[OpenInvoice]:
    count = draw(st.integers(min_value=min_size, max_value=8))
    numbers = draw(st.lists(st.integers(1, 999), min_size=count, max_size=count, unique=True))
    return [
        OpenInvoice(
            invoice_id=f"id-{n}",
            number=f"INV-{n:06d}",
            # few distinct dates, so equal dates (ordered by number) happen often
            invoice_date=EPOCH + timedelta(days=draw(st.integers(0, 3))),
            open_balance=Money(Decimal(draw(cents)) / 100),
        )
        for n in numbers
    ]


@st.composite
def account_and_payment(draw: st.DrawFn) -> tuple[list[OpenInvoice], Money]:
    account = draw(invoices())
    balance_cents = int(payable_balance(account) * 100)
    paid = draw(st.integers(min_value=1, max_value=balance_cents))
    return account, Money(Decimal(paid) / 100)


@given(account_and_payment())
def test_applied_amounts_sum_to_the_payment(case: tuple[list[OpenInvoice], Money]) -> None:
    account, payment = case
    allocations = allocate(payment, account)
    assert sum(a.amount.amount for a in allocations) == payment.amount


@given(account_and_payment())
def test_no_invoice_goes_below_zero_or_above_its_balance(
    case: tuple[list[OpenInvoice], Money],
) -> None:
    account, payment = case
    before = {i.invoice_id: i.open_balance for i in account}
    for allocation in allocate(payment, account):
        assert Money.zero() < allocation.amount <= before[allocation.invoice_id]
        assert allocation.remaining == before[allocation.invoice_id] - allocation.amount
    for invoice in settle(account, allocate(payment, account)):
        assert Money.zero() <= invoice.open_balance <= before[invoice.invoice_id]


@given(account_and_payment())
def test_older_invoices_are_settled_before_newer_ones(
    case: tuple[list[OpenInvoice], Money],
) -> None:
    account, payment = case
    allocations = allocate(payment, account)
    after = {i.invoice_id: i for i in settle(account, allocations)}
    ordered = sorted(account, key=age_key)
    touched = [a.invoice_id for a in allocations]
    # the allocations are a prefix of the invoices in age order ...
    assert touched == [i.invoice_id for i in ordered[: len(touched)]]
    # ... and every one but the last is paid in full
    for invoice_id in touched[:-1]:
        assert after[invoice_id].open_balance.is_zero()


@given(account_and_payment(), st.randoms())
def test_input_order_does_not_matter(case: tuple[list[OpenInvoice], Money], rnd: object) -> None:
    account, payment = case
    shuffled = list(account)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert allocate(payment, shuffled) == allocate(payment, account)


@given(account_and_payment())
def test_replaying_the_same_request_changes_nothing(
    case: tuple[list[OpenInvoice], Money],
) -> None:
    account, payment = case
    book, first = AccountBook(tuple(account)).pay("key-1", payment)
    replayed_book, again = book.pay("key-1", payment)
    assert again == first
    assert replayed_book == book


@given(account_and_payment())
def test_a_reused_key_with_another_amount_is_refused(
    case: tuple[list[OpenInvoice], Money],
) -> None:
    account, payment = case
    book, _ = AccountBook(tuple(account)).pay("key-1", payment)
    with pytest.raises(IdempotencyKeyReused):
        book.pay("key-1", payment + Money.of("0.01"))


@given(account_and_payment())
def test_reversal_restores_every_invoice_exactly(case: tuple[list[OpenInvoice], Money]) -> None:
    account, payment = case
    allocations = allocate(payment, account)
    assert unsettle(settle(account, allocations), allocations) == account


@given(invoices(), st.integers(min_value=1, max_value=10_000))
def test_more_than_the_balance_is_refused(account: list[OpenInvoice], extra: int) -> None:
    payment_amount = payable_balance(account) + Decimal(extra) / 100
    assume(payment_amount <= Decimal("999999.99"))
    with pytest.raises(PaymentExceedsBalance, match="above the payable balance"):
        allocate(Money(payment_amount), account)


def test_paying_the_whole_balance_settles_everything() -> None:
    account = [
        OpenInvoice("b", "INV-2", EPOCH, Money.of("40.00")),
        OpenInvoice("a", "INV-1", EPOCH, Money.of("60.00")),
    ]
    assert all(i.open_balance.is_zero()
               for i in settle(account, allocate(Money.of("100.00"), account)))


def test_same_date_orders_by_number_and_the_last_is_partial() -> None:
    account = [
        OpenInvoice("c", "INV-000003", EPOCH + timedelta(days=1), Money.of("50.00")),
        OpenInvoice("b", "INV-000002", EPOCH, Money.of("30.00")),
        OpenInvoice("a", "INV-000001", EPOCH, Money.of("20.00")),
    ]
    allocations = allocate(Money.of("60.00"), account)
    assert [(a.number, str(a.amount), str(a.remaining)) for a in allocations] == [
        ("INV-000001", "20.00", "0.00"),
        ("INV-000002", "30.00", "0.00"),
        ("INV-000003", "10.00", "40.00"),
    ]


def test_no_open_invoice_means_nothing_to_pay() -> None:
    with pytest.raises(NothingToPay):
        allocate(Money.of("1.00"), [OpenInvoice("a", "INV-1", EPOCH, Money.zero())])
