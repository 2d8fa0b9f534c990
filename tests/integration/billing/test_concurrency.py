"""Two payments on one account at the same moment never over-apply an invoice.

Real concurrent requests: each runs in its own task with its own database connection, and the
gateway answers slowly so both are in flight together. The account row lock makes the second
wait for the first's commit and then see what is left.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI

from services.billing.adapters.gateway import Charged, Declined, GatewayClient
from services.billing.service.context import ServiceContext
from shared.money import Money
from warranty_client.portal import PortalAccount

from .conftest import GATEWAY


class SlowGateway(GatewayClient):
    """The real gateway over HTTP, with a delay before each charge."""

    in_flight = 0
    most_in_flight = 0

    async def charge(self, key: str, amount: Money, method_token: str, description: str
                     ) -> Charged | Declined:
        SlowGateway.in_flight += 1
        SlowGateway.most_in_flight = max(SlowGateway.most_in_flight, SlowGateway.in_flight)
        try:
            await asyncio.sleep(0.3)
            return await super().charge(key, amount, method_token, description)
        finally:
            SlowGateway.in_flight -= 1


async def test_simultaneous_payments_never_over_apply(
    billing_app: FastAPI, billing: ServiceContext, acct: PortalAccount,
    gateway_http: httpx.AsyncClient,
) -> None:
    billing_app.state.context = ServiceContext(billing.sessions,
                                        SlowGateway(GATEWAY, client=gateway_http))
    try:
        tokens = [await acct.tokenize() for _ in range(4)]
        # balance 225.00; four payments of 100.00 at once: at most two fit
        responses = await asyncio.gather(*(acct.pay("100.00", t) for t in tokens))
    finally:
        billing_app.state.context = billing

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 201, 422, 422], [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 422):
        assert refused.json()["type"].endswith("payment-exceeds-balance")
    invoices = await acct.list_invoices()
    assert sum(Decimal(i["open_balance"]) for i in invoices) == Decimal("25.00")
    assert all(Decimal("0") <= Decimal(i["open_balance"]) <= Decimal(i["amount"])
               for i in invoices)
    applied: dict[str, Decimal] = {}
    confirmations: list[dict[str, Any]] = [r.json() for r in responses if r.status_code == 201]
    for confirmation in confirmations:
        for line in confirmation["allocations"]:
            applied[line["invoice_id"]] = (applied.get(line["invoice_id"], Decimal(0))
                                           + Decimal(line["amount_applied"]))
    amounts = {i["id"]: Decimal(i["amount"]) for i in invoices}
    assert all(total <= amounts[invoice] for invoice, total in applied.items())
    # the payments did overlap at the gateway? No: the lock serialised them before it
    assert SlowGateway.most_in_flight == 1


class ChargesThenCrashes(GatewayClient):
    """The gateway charges, then the process 'dies' before billing commits."""

    async def charge(self, key: str, amount: Money, method_token: str, description: str
                     ) -> Charged | Declined:
        await super().charge(key, amount, method_token, description)
        raise RuntimeError("process died after the charge")


async def test_a_charge_lost_before_commit_is_recorded_by_the_retry_not_charged_again(
    billing_app: FastAPI, billing: ServiceContext, acct: PortalAccount,
    gateway_http: httpx.AsyncClient,
) -> None:
    token = await acct.tokenize()
    before = len((await gateway_http.get("/charges")).json())
    billing_app.state.context = ServiceContext(billing.sessions,
                                        ChargesThenCrashes(GATEWAY, client=gateway_http))
    try:
        crashed = await acct.pay("60.00", token, key="k-crash")
    finally:
        billing_app.state.context = billing
    assert crashed.status_code == 500
    assert (await acct.balance())["balance"] == "225.00"  # nothing recorded

    confirmation = await acct.pay("60.00", token, key="k-crash")
    assert confirmation.status_code == 201, confirmation.text
    charges = (await gateway_http.get("/charges")).json()
    assert len(charges) == before + 1  # the retry got the first charge back
    assert confirmation.json()["gateway_charge_id"] == charges[-1]["id"]
    assert (await acct.balance())["balance"] == "165.00"
