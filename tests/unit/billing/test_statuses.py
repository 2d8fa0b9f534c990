"""Invoice and payment transition tables; who may pay in the portal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.domain import invoice
from services.billing.domain.contact import ContactFacts, ContactKind, ensure_may_pay
from services.billing.domain.errors import IllegalTransition, InvalidInvoice, PortalAccessDenied
from services.billing.domain.invoice import InvoiceAction, InvoiceStatus
from services.billing.domain.payment import PaymentAction, PaymentStatus, fire
from shared.money import Money

HUNDRED = Money.of("100.00")


def test_applying_part_then_the_rest() -> None:
    balance, status = invoice.apply(InvoiceStatus.OPEN, HUNDRED, HUNDRED, Money.of("30.00"))
    assert (str(balance), status) == ("70.00", InvoiceStatus.PARTIALLY_PAID)
    balance, status = invoice.apply(status, HUNDRED, balance, Money.of("70.00"))
    assert (str(balance), status) == ("0.00", InvoiceStatus.PAID)


def test_reversing_reopens() -> None:
    balance, status = invoice.reverse(InvoiceStatus.PAID, HUNDRED, Money.zero(), HUNDRED)
    assert (balance, status) == (HUNDRED, InvoiceStatus.OPEN)
    balance, status = invoice.reverse(InvoiceStatus.PAID, HUNDRED, Money.zero(), Money.of("1"))
    assert status is InvoiceStatus.PARTIALLY_PAID


def test_cannot_apply_more_than_open_or_reverse_above_amount() -> None:
    with pytest.raises(InvalidInvoice):
        invoice.apply(InvoiceStatus.OPEN, HUNDRED, HUNDRED, Money.of("100.01"))
    with pytest.raises(InvalidInvoice):
        invoice.reverse(InvoiceStatus.PARTIALLY_PAID, HUNDRED, Money.of("50"), Money.of("51"))


@pytest.mark.parametrize("status", [InvoiceStatus.PAID, InvoiceStatus.VOID])
def test_paid_and_void_invoices_take_no_payment(status: InvoiceStatus) -> None:
    with pytest.raises(IllegalTransition):
        invoice.apply(status, HUNDRED, Money.zero(), Money.of("1.00"))


@pytest.mark.parametrize(
    "status", [InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID, InvoiceStatus.VOID]
)
def test_only_untouched_invoices_are_voided(status: InvoiceStatus) -> None:
    with pytest.raises(IllegalTransition):
        invoice.void(status)
    assert invoice.void(InvoiceStatus.OPEN) is InvoiceStatus.VOID


def test_a_payment_is_refunded_once() -> None:
    refunded = fire(PaymentStatus.SUCCEEDED, PaymentAction.REFUND)
    assert refunded is PaymentStatus.REFUNDED
    with pytest.raises(IllegalTransition, match="cannot 'refund'"):
        fire(refunded, PaymentAction.REFUND)


def test_only_company_contacts_with_access_may_pay() -> None:
    ensure_may_pay(ContactFacts(ContactKind.COMPANY, portal_access=True))
    for facts in (
        ContactFacts(ContactKind.SITE, portal_access=True),
        ContactFacts(ContactKind.COMPANY, portal_access=False),
        ContactFacts(ContactKind.COMPANY, portal_access=True, active=False),
    ):
        with pytest.raises(PortalAccessDenied):
            ensure_may_pay(facts)


def test_a_cancelled_jobs_unpaid_fee_invoice_is_voided() -> None:
    cancelled = invoice.cancel_fee(InvoiceStatus.OPEN, HUNDRED, HUNDRED, [])
    assert cancelled == invoice.FeeCancellation(InvoiceStatus.VOID)
    assert cancelled.voided and cancelled.refused is None


@pytest.mark.parametrize(("status", "open_balance", "paid"), [
    (InvoiceStatus.PARTIALLY_PAID, Money.of("60.00"), "40.00"),
    (InvoiceStatus.PAID, Money.zero(), "100.00"),
])
def test_a_cancelled_jobs_paid_fee_invoice_stays_and_says_why(
    status: InvoiceStatus, open_balance: Money, paid: str,
) -> None:
    cancelled = invoice.cancel_fee(status, HUNDRED, open_balance, ["pay-1"])
    assert cancelled.status is status and not cancelled.voided
    assert cancelled.refused is not None
    assert cancelled.refused.startswith(f"paid {paid} of 100.00 (payment pay-1)")
    assert "/v1/payments/{payment_id}/refund" in cancelled.refused


def test_a_void_fee_invoice_stays_void_when_its_job_is_cancelled_again() -> None:
    assert invoice.cancel_fee(InvoiceStatus.VOID, HUNDRED, HUNDRED, []) == \
        invoice.FeeCancellation(InvoiceStatus.VOID)


def test_the_invoice_table_names_what_each_status_allows() -> None:
    allowed = {status: set(invoice.INVOICE_MACHINE.allowed(status)) for status in InvoiceStatus}
    assert allowed == {
        InvoiceStatus.OPEN: {InvoiceAction.APPLY, InvoiceAction.VOID},
        InvoiceStatus.PARTIALLY_PAID: {InvoiceAction.APPLY, InvoiceAction.REVERSE},
        InvoiceStatus.PAID: {InvoiceAction.REVERSE},
        InvoiceStatus.VOID: set(),
    }
    with pytest.raises(IllegalTransition, match=r"^invoice in status 'paid' cannot 'apply' "
                       r"\(allowed here: reverse\)$"):
        invoice.apply(InvoiceStatus.PAID, HUNDRED, Money.zero(), Money.of("1.00"))


def test_an_illegal_action_is_refused_before_the_amount_is_checked() -> None:
    with pytest.raises(IllegalTransition):
        invoice.apply(InvoiceStatus.VOID, HUNDRED, Money.zero(), Money.of("500.00"))


@given(st.integers(1, 10_000), st.data())
def test_the_new_status_is_the_one_the_new_balance_says(cents: int, data: st.DataObject) -> None:
    amount = Money.of(f"{cents / 100:.2f}")
    applied = Money.of(f"{data.draw(st.integers(0, cents)) / 100:.2f}")
    balance, status = invoice.apply(InvoiceStatus.OPEN, amount, amount, applied)
    assert status is invoice.status_for(amount, balance)
    assert balance == amount - applied
