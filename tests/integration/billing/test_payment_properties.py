"""Properties of a portal payment's key and refund, over generated accounts, on the real path:
the billing API in process, its idempotency store and allocation rows in PostgreSQL, the
sandbox gateway. The allocation itself is proven over many more accounts without a database
(``tests/unit/billing/test_allocator_properties.py``); each example here opens an account.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.billing.settings import BillingSettings
from tests.integration.api import ok, problem
from warranty_client.portal import PortalAccount

from .conftest import gateway_charges

EPOCH = date(2026, 9, 1)
# Each example is a dozen requests over PostgreSQL: few examples, no per-example deadline.
ON_THE_DATABASE = settings(max_examples=8, deadline=None)

Invoices = tuple[tuple[str, str], ...]
Case = tuple[Invoices, Decimal]
OpenCase = Callable[[Case], Awaitable[tuple[PortalAccount, Decimal]]]


@st.composite
def account_and_payment(draw: st.DrawFn) -> Case:
    amounts = draw(st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=4))
    # few distinct dates, so equal dates (ordered by number) happen too
    days = [EPOCH + timedelta(days=draw(st.integers(0, 2))) for _ in amounts]
    paid = draw(st.integers(min_value=1, max_value=sum(amounts)))
    invoices = tuple((day.isoformat(), f"{Decimal(c) / 100:.2f}") for day, c in zip(
        days, amounts, strict=True))
    return invoices, Decimal(paid) / 100


@pytest.fixture(scope="session")  # hypothesis runs many examples per test: no function scope
def open_case(client: httpx.AsyncClient, gateway_http: httpx.AsyncClient,
              billing_settings: BillingSettings) -> OpenCase:
    """``acct, amount = await open_case(case)``: the example's account opened on the portal,
    and the amount to pay."""
    async def open_(case: Case) -> tuple[PortalAccount, Decimal]:
        invoices, amount = case
        account = PortalAccount(client, gateway_http, billing_settings)
        return await account.open(invoices), amount
    return open_


async def snapshot(acct: PortalAccount) -> tuple[str, list[tuple[str, str, str]]]:
    """The account as its portal shows it: the balance and each invoice's status."""
    invoices = sorted((i["number"], i["status"], i["open_balance"])
                      for i in await acct.list_invoices())
    return (await acct.balance())["balance"], invoices


@ON_THE_DATABASE
@given(account_and_payment())
async def test_replaying_the_same_request_changes_nothing(
    open_case: OpenCase, gateway_http: httpx.AsyncClient, case: Case
) -> None:
    acct, amount = await open_case(case)
    token = await acct.tokenize()
    charges_before = len(await gateway_charges(gateway_http))
    first = ok(await acct.pay(f"{amount:.2f}", token, key="key-1"), 201)
    after_first = await snapshot(acct)

    again = ok(await acct.pay(f"{amount:.2f}", token, key="key-1"), 201)
    assert again == first
    assert await snapshot(acct) == after_first
    assert len(await gateway_charges(gateway_http)) == charges_before + 1


@ON_THE_DATABASE
@given(account_and_payment())
async def test_a_reused_key_with_another_amount_is_refused(open_case: OpenCase, case: Case) -> None:
    acct, amount = await open_case(case)
    token = await acct.tokenize()
    ok(await acct.pay(f"{amount:.2f}", token, key="key-1"), 201)
    after_first = await snapshot(acct)

    other = await acct.pay(f"{amount + Decimal('0.01'):.2f}", token, key="key-1")
    problem(other, 422, "idempotency-key-reused")
    assert await snapshot(acct) == after_first


@ON_THE_DATABASE
@given(account_and_payment())
async def test_a_refund_restores_every_invoice_exactly(open_case: OpenCase, case: Case) -> None:
    acct, amount = await open_case(case)
    before = await snapshot(acct)
    payment: dict[str, Any] = ok(await acct.pay(f"{amount:.2f}", await acct.tokenize()), 201)

    ok(await acct.billing.post(f"/v1/payments/{payment['id']}/refund",
                               json={"reason": "charged in error"}, headers=acct.payables))
    assert await snapshot(acct) == before
