"""The rows portal payments leave, read back from the database: after payments on one account
at the same moment, every invoice's balance is its amount less its allocation rows, each
payment's recorded balance is what the one before it left, and money went oldest invoice first
across the payments. Also the balance read's access rules."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from services.billing.adapters.orm import AllocationKind, AllocationRow, InvoiceRow, PaymentRow
from services.billing.domain.invoice import status_for
from services.billing.service.context import ServiceContext
from shared.auth import Role, mint_token
from shared.money import Money
from tests.integration.api import ok, problem
from warranty_client.portal import PortalAccount

from .test_portal_payments import outbox_messages

PAYMENTS = 8  # of 25.00 each, on the fixture's 225.00: all fit


def customer_token(acct: PortalAccount, subject: str, customer_id: str) -> dict[str, str]:
    token = mint_token(secret=acct.settings.jwt_secret, issuer=acct.settings.jwt_issuer,
                       audience=acct.settings.jwt_audience, subject=subject,
                       roles=[Role.CUSTOMER], customer_id=customer_id)
    return {"Authorization": f"Bearer {token}"}


async def rows(billing: ServiceContext, account_id: str
               ) -> tuple[list[PaymentRow], list[AllocationRow], list[InvoiceRow]]:
    async with billing.sessions() as session:
        payments = list(await session.scalars(
            select(PaymentRow).where(PaymentRow.account_id == uuid.UUID(account_id))))
        allocations = list(await session.scalars(
            select(AllocationRow).where(AllocationRow.payment_id.in_([p.id for p in payments]))
            .order_by(AllocationRow.payment_id, AllocationRow.position)))
        invoices = list(await session.scalars(
            select(InvoiceRow).where(InvoiceRow.account_id == uuid.UUID(account_id))
            .order_by(InvoiceRow.invoice_date, InvoiceRow.number)))
    return payments, allocations, invoices


async def test_simultaneous_payments_leave_consistent_rows(
    acct: PortalAccount, billing: ServiceContext
) -> None:
    tokens = [await acct.tokenize() for _ in range(PAYMENTS)]
    responses = await asyncio.gather(*(acct.pay("25.00", t) for t in tokens))
    confirmations: list[dict[str, Any]] = [ok(r, 201) for r in responses]

    payments, allocations, invoices = await rows(billing, acct.account["id"])
    assert len(payments) == PAYMENTS
    assert all(p.amount == Decimal("25.00") and p.status == "succeeded"
               and str(p.contact_id) == acct.company["id"] for p in payments)
    # the account lock ran them one after the other: each saw what the previous one left
    in_commit_order = sorted(payments, key=lambda p: p.balance_after, reverse=True)
    assert [p.balance_after for p in in_commit_order] == [
        Decimal("225.00") - 25 * n for n in range(1, PAYMENTS + 1)]

    by_payment: dict[uuid.UUID, list[AllocationRow]] = defaultdict(list)
    for row in allocations:
        by_payment[row.payment_id].append(row)
    age = {invoice.id: index for index, invoice in enumerate(invoices)}
    remaining = {invoice.id: invoice.amount for invoice in invoices}
    touched: list[int] = []
    for payment in in_commit_order:
        lines = by_payment[payment.id]
        assert [line.position for line in lines] == list(range(len(lines)))
        assert all(line.kind == AllocationKind.APPLY for line in lines)
        assert sum(line.amount for line in lines) == payment.amount
        for line in lines:
            remaining[line.invoice_id] -= line.amount
            assert line.invoice_remaining == remaining[line.invoice_id]
            touched.append(age[line.invoice_id])
    assert touched == sorted(touched)  # oldest invoice first, across the payments

    for invoice in invoices:
        assert invoice.open_balance == remaining[invoice.id]
        assert invoice.status == status_for(Money(invoice.amount), Money(invoice.open_balance))
    assert [(i.status, i.open_balance) for i in invoices] == [
        ("paid", Decimal("0.00")), ("paid", Decimal("0.00")),
        ("partially_paid", Decimal("25.00"))]

    for confirmation in confirmations:  # what was shown is what was stored
        assert ok(await acct.billing.get(f"/v1/payments/{confirmation['id']}",
                                         headers=acct.staff)) == confirmation
    messages = await outbox_messages(billing, acct.account["id"])
    assert sorted(m["type"] for m in messages) == (
        ["billing.invoice_paid"] * 2 + ["billing.payment_received"] * PAYMENTS)
    assert (await acct.balance())["balance"] == "25.00"


async def test_only_the_invoices_a_payment_reaches_are_paid_and_the_balance_is_all(
    acct: PortalAccount,
) -> None:
    # exactly the oldest invoice's 100.00: the next one is not touched
    first = ok(await acct.pay("100.00", await acct.tokenize()), 201)
    assert [(a["invoice_date"], a["amount_applied"], a["invoice_remaining"])
            for a in first["allocations"]] == [("2026-09-01", "100.00", "0.00")]
    assert first["balance_after"] == "125.00"
    # a cent more than one invoice reaches the next
    second = ok(await acct.pay("50.01", await acct.tokenize()), 201)
    assert [(a["invoice_date"], a["amount_applied"]) for a in second["allocations"]] == [
        ("2026-09-20", "50.00"), ("2026-10-15", "0.01")]
    assert second["balance_after"] == "74.99"
    body = problem(await acct.pay("75.00", await acct.tokenize()), 422,
                   "payment-exceeds-balance")
    assert "payable balance of 74.99" in body["detail"]
    last = ok(await acct.pay("74.99", await acct.tokenize()), 201)
    assert last["balance_after"] == "0.00"


async def test_same_date_invoices_are_paid_in_code_point_order_of_their_numbers(
    acct: PortalAccount,
) -> None:
    # "Z" sorts before "a" by code point (the allocator's order), after it in most locales
    upper = await acct.add_invoice("2026-08-01", "10.00", number=f"Z{acct.customer_id}")
    lower = await acct.add_invoice("2026-08-01", "10.00", number=f"a{acct.customer_id}")
    confirmation = ok(await acct.pay("15.00", await acct.tokenize()), 201)
    assert [(a["invoice_number"], a["amount_applied"]) for a in confirmation["allocations"]] == [
        (upper["number"], "10.00"), (lower["number"], "5.00")]


async def test_balance_is_read_by_staff_and_the_accounts_payers_only(
    acct: PortalAccount, client: httpx.AsyncClient, gateway_http: httpx.AsyncClient
) -> None:
    url = f"{acct.path}/balance"
    assert ok(await client.get(url, headers=acct.staff)) == {
        "account_id": acct.account["id"], "balance": "225.00", "open_total": "225.00",
        "open_invoices": 3}
    problem(await client.get(f"/v1/accounts/{uuid.uuid4()}/balance", headers=acct.staff),
            404, "not-found")
    problem(await client.get(url, headers=acct.portal(acct.site)), 403, "portal-access-denied")
    other = await PortalAccount(client, gateway_http, acct.settings).open(invoices=())
    problem(await client.get(url, headers=acct.portal(other.company)), 403,
            "portal-access-denied")
    assert ok(await client.get(f"{other.path}/balance", headers=other.portal(other.company))
              ) == {"account_id": other.account["id"], "balance": "0.00",
                    "open_total": "0.00", "open_invoices": 0}


async def test_a_portal_token_whose_subject_is_no_contact_is_refused(
    acct: PortalAccount, client: httpx.AsyncClient
) -> None:
    not_a_contact = customer_token(acct, "pat@example.com", acct.customer_id)
    body = problem(await client.get(f"{acct.path}/balance", headers=not_a_contact), 403,
                   "portal-access-denied")
    assert body["detail"] == "the token's subject is not a contact id"
    response = await client.post(
        f"{acct.path}/payments", headers={**not_a_contact, "Idempotency-Key": "no-contact"},
        json={"amount": "10.00", "payment_method_token": await acct.tokenize(),
              "billing_details": {"name": "Pat", "postal_code": "78701"}})
    assert problem(response, 403, "portal-access-denied")["detail"] == body["detail"]
    # on another customer's account the same token learns nothing (404 first)
    stranger = customer_token(acct, "pat@example.com", "cust-someone-else")
    problem(await client.get(f"{acct.path}/balance", headers=stranger), 404, "not-found")
