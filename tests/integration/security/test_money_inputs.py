"""Regression (issue 17, item 2a): an amount such as ``"1e30"`` or 29 digits made
``Decimal.quantize`` raise ``InvalidOperation`` and every money field answered 500. Every money
field of every service (payments, contract limits, options, BYOP estimates, invoices, provider
callbacks) takes only the documented string: anything else is a 422 problem and stores nothing."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.billing.settings import BillingSettings
from services.claims.api.schemas.contracts import ContractIn
from services.claims.settings import ClaimsSettings
from services.payouts.settings import PayoutsSettings
from shared.auth import Role
from tests.integration.security.conftest import (
    assert_callback_refused,
    assert_problem,
    bearer,
    nothing_stored,
)

BAD_AMOUNTS: list[Any] = [
    "1e30", "9" * 29, "1" * 40 + ".00", "1E2", "1.001", "+1.00", " 1.00", "1.00 ", "1_000.00",
    "\u0661\u0662\u0663", "\uff11\uff12\uff13", "-1.00", "NaN", "Infinity", "", 125, 125.5,
]
Body = Callable[[Any], dict[str, Any]]


def _contract(amount: Any, field: str) -> dict[str, Any]:
    extra = ContractIn.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(extra["examples"], list)
    body: dict[str, Any] = copy.deepcopy(extra["examples"][0])  # type: ignore[arg-type]
    body["customer_id"] = f"cust-{uuid.uuid4().hex[:8]}"
    if field == "trade_deductibles":
        body["limits"]["trade_deductibles"] = {"hvac": amount}
    else:
        body["limits"][field] = amount
    return body


PRO = {"name": "Acme Plumbing", "email": "billing@acme-plumbing.net", "mobile": "+15125550199"}
ID = "0b8f5a9e-4f5c-4e0b-9a53-3f8f5f0d2a11"
# (path, role, body with the amount in it); the ids need not exist: a body is validated first.
CLAIMS_ROUTES: dict[str, tuple[str, Role, Body]] = {
    "per_claim_cap": ("/v1/contracts", Role.AGENT, lambda a: _contract(a, "per_claim_cap")),
    "service_fee": ("/v1/contracts", Role.AGENT, lambda a: _contract(a, "service_fee")),
    "trade_deductible": ("/v1/contracts", Role.AGENT,
                         lambda a: _contract(a, "trade_deductibles")),
    "option": (f"/v1/service-orders/{ID}/options", Role.AGENT,
               lambda a: {"options": [{"kind": "claim_credit", "amount": a}]}),
    "byop_estimate": (f"/v1/byop-jobs/{ID}/diagnosis", Role.BYOP_AGENT,
                      lambda a: {"service_pro": PRO, "diagnosis": "tank", "estimate": a}),
    "byop_decision": (f"/v1/byop-jobs/{ID}/decision", Role.BYOP_AGENT,
                      lambda a: {"decision": "authorize", "authorized_amount": a,
                                 "reason": "covered"}),
    "byop_invoice": (f"/v1/byop-jobs/{ID}/completion", Role.BYOP_AGENT,
                     lambda a: {"invoice_amount": a}),
}


@pytest.mark.parametrize("bad", BAD_AMOUNTS, ids=repr)
async def test_claims_money_fields_refuse_bad_amounts(
    claims: tuple[httpx.AsyncClient, ClaimsSettings], bad: Any,
) -> None:
    client, settings = claims
    async with nothing_stored(settings):
        for path, role, body in CLAIMS_ROUTES.values():
            response = await client.post(path, json=body(bad), headers=bearer(settings, role))
            assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("bad", BAD_AMOUNTS, ids=repr)
async def test_billing_money_fields_refuse_bad_amounts(
    billing: tuple[httpx.AsyncClient, BillingSettings], bad: Any,
) -> None:
    client, settings = billing
    invoice = {"invoice_date": "2026-11-01", "due_date": "2026-12-01", "amount": bad}
    payment = {"amount": bad, "payment_method_token": "pm_3f2a9c0d1e4b5a6f",
               "billing_details": {"name": "Pat", "postal_code": "78701"}}
    payer = bearer(settings, Role.CUSTOMER, subject=str(uuid.uuid4()), customer_id="cust-1")
    async with nothing_stored(settings):
        response = await client.post(f"/v1/accounts/{ID}/invoices", json=invoice,
                                     headers=bearer(settings, Role.AGENT))
        assert_problem(response, 422, "validation-error")
        response = await client.post(f"/v1/accounts/{ID}/payments", json=payment,
                                     headers={**payer, "Idempotency-Key": uuid.uuid4().hex})
        assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("bad", BAD_AMOUNTS, ids=repr)
# J.P. Morgan's callback (Zelle) carries no amount: only the signed-event rails are here.
async def test_check_callbacks_refuse_bad_amounts(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], bad: Any,
) -> None:
    await assert_callback_refused(payouts, "/v1/callbacks/check", {
        "eventId": str(uuid.uuid4()), "endToEndId": "K3V9Q2M7X1B4C8D5", "status": "COMPLETED",
        "amount": bad, "currency": "USD", "occurredAt": "2026-01-05T10:00:03Z"})


# Concourse's (modelled) callback types paymentAmount as a JSON number, as Global Payments
# does: a string is as malformed as 1e30, too many decimals or a non-positive amount.
BAD_NUMBERS: list[Any] = [1e30, 10**29, 1.001, -1.0, 0, True, "125.00", "1e30",
                          float("nan"), float("inf")]


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=repr)
async def test_concourse_callbacks_refuse_bad_amounts(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], bad: Any,
) -> None:
    await assert_callback_refused(payouts, "/v1/callbacks/concourse/status", {"callbacks": [{
        "endToEndId": "K3V9Q2M7X1B4C8D5", "firmRootId": "f-1", "paymentStatus": "COMPLETED",
        "paymentAmount": bad, "paymentCurrency": "USD", "paymentMethod": "ACH"}]})
