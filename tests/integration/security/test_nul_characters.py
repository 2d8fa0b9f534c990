"""Regression (found by schemathesis): a NUL character (U+0000) in any text of a body reached
PostgreSQL, which cannot store it, and the API answered 500. It is invalid input: a 422."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from services.billing.settings import BillingSettings
from services.claims.api.schemas.contracts import ContractIn
from services.claims.settings import ClaimsSettings
from services.payouts.settings import PayoutsSettings
from shared.auth import Role
from tests.integration.security.conftest import assert_callback_refused, bearer


def contract_example() -> dict[str, Any]:
    schema_extra = ContractIn.model_config.get("json_schema_extra")
    assert isinstance(schema_extra, dict)
    examples = schema_extra["examples"]
    assert isinstance(examples, list) and isinstance(examples[0], dict)
    body: dict[str, Any] = copy.deepcopy(examples[0])
    body["customer_id"] = f"cust-{uuid.uuid4().hex[:8]}"
    return body


def assert_refused_as_invalid(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:warranty:problem:validation-error"


async def test_claims_refuses_a_nul_in_nested_text(
    claims: tuple[httpx.AsyncClient, ClaimsSettings],
) -> None:
    client, settings = claims
    headers = bearer(settings, Role.AGENT)
    body = contract_example()
    body["covered_items"][0]["description"] = "Over-the-range\x00 microwave"
    assert_refused_as_invalid(await client.post("/v1/contracts", json=body, headers=headers))
    body = contract_example()
    body["limits"]["trade_deductibles"] = {"hv\x00ac": "150.00"}
    assert_refused_as_invalid(await client.post("/v1/contracts", json=body, headers=headers))
    # The same body without the NUL is a contract.
    created = await client.post("/v1/contracts", json=contract_example(), headers=headers)
    assert created.status_code == 201, created.text


async def test_billing_refuses_a_nul_in_text(
    billing: tuple[httpx.AsyncClient, BillingSettings],
) -> None:
    client, settings = billing
    headers = bearer(settings, Role.AGENT)
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    refused = await client.post("/v1/accounts", headers=headers,
                                json={"customer_id": customer, "name": "Acme\x00 PM"})
    assert_refused_as_invalid(refused)
    created = await client.post("/v1/accounts", headers=headers,
                                json={"customer_id": customer, "name": "Acme PM"})
    assert created.status_code == 201, created.text
    assert_refused_as_invalid(await client.get("/v1/accounts", headers=headers,
                                               params={"customer_id": "cust\x00"}))


@pytest.mark.parametrize("name", ["payout_key", "payee"])
async def test_payouts_search_refuses_a_nul_in_a_filter(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], name: str,
) -> None:
    client, settings = payouts
    headers = bearer(settings, Role.PAYABLES)
    assert_refused_as_invalid(await client.get("/v1/payouts", params={name: "a\x00b"},
                                               headers=headers))
    clean = await client.get("/v1/payouts", params={name: "ab"}, headers=headers)
    assert clean.status_code == 200, clean.text


@pytest.mark.parametrize("action", ["approve", "reject", "cancel", "void", "stop"])
async def test_payouts_actions_refuse_a_nul_in_the_reason(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], action: str,
) -> None:
    client, settings = payouts
    headers = {**bearer(settings, Role.PAYABLES), "Idempotency-Key": f"nul-{action}"}
    url = f"/v1/payouts/{uuid.uuid4()}/{action}"
    assert_refused_as_invalid(await client.post(url, headers=headers,
                                                json={"reason": "payee\x00 asked"}))
    nul_key = {**headers, "Idempotency-Key": "nul\x00key"}
    assert_refused_as_invalid(await client.post(url, headers=nul_key,
                                                json={"reason": "payee asked"}))
    # The same request without the NUL reaches the payout (none has this id).
    clean = await client.post(url, headers=headers, json={"reason": "payee asked"})
    assert clean.status_code == 404, clean.text


async def assert_nul_key_refused(client: httpx.AsyncClient, url: str, body: dict[str, Any],
                                 headers: dict[str, str]) -> None:
    """A NUL in the Idempotency-Key is a 422 problem; the same request with a clean key reaches
    the resource (none has the random id in ``url``)."""
    assert_refused_as_invalid(await client.post(
        url, json=body, headers={**headers, "Idempotency-Key": "nul\x00key"}))
    clean = await client.post(url, json=body, headers={**headers, "Idempotency-Key": "k-1"})
    assert clean.status_code == 404, clean.text


async def test_claims_refuses_a_nul_in_an_idempotency_key(
    claims: tuple[httpx.AsyncClient, ClaimsSettings],
) -> None:
    client, settings = claims
    await assert_nul_key_refused(client, f"/v1/claims/{uuid.uuid4()}/approve", {},
                                 bearer(settings, Role.SUPPORT_SERVICES))


async def test_billing_refuses_a_nul_in_an_idempotency_key(
    billing: tuple[httpx.AsyncClient, BillingSettings],
) -> None:
    client, settings = billing
    await assert_nul_key_refused(client, f"/v1/payments/{uuid.uuid4()}/refund",
                                 {"reason": "duplicate charge"}, bearer(settings, Role.PAYABLES))


@pytest.mark.parametrize("field", ["eventId", "endToEndId", "paymentId", "statusReason",
                                   "status", "currency", "reasonCode"])
async def test_the_check_callback_refuses_a_nul(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], field: str,
) -> None:
    """Regression (issue 17, item 2f): a signed callback whose eventId held a NUL reached
    PostgreSQL: a 500. It is a 422 problem like any other body, and stores nothing."""
    body = {"eventId": str(uuid.uuid4()), "endToEndId": "K3V9Q2M7X1B4C8D5",
            "paymentId": "CNC-1", "status": "COMPLETED", "amount": "1.00", "currency": "USD",
            "occurredAt": "2026-01-05T10:00:03Z", "statusReason": "ok", "reasonCode": "AM04"}
    body[field] = f"{body[field][:3]}\x00{body[field][3:]}"
    await assert_callback_refused(payouts, "/v1/callbacks/check", body)


@pytest.mark.parametrize("field", ["endToEndId", "firmRootId", "paymentStatus",
                                   "errorDescription", "externalCode", "paymentCurrency",
                                   "paymentMethod"])
@pytest.mark.parametrize("route", ["/v1/callbacks/jpm/status",
                                   "/v1/callbacks/concourse/status"])
async def test_the_jpm_shaped_callbacks_refuse_a_nul(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], field: str, route: str,
) -> None:
    """J.P. Morgan's callback and Concourse's modelled on it are held to the same rule: a NUL
    is a 422, and stores nothing."""
    exception = {"errorCode": "11000", "errorDescription": "not enrolled",
                 "externalCode": "BE23"}
    item: dict[str, Any] = {"endToEndId": "K3V9Q2M7X1B4C8D5", "firmRootId": "f-1",
                            "paymentStatus": "REJECTED", "exceptions": [exception],
                            "paymentCurrency": "USD", "paymentMethod": "ACH"}
    holder = exception if field in exception else item
    holder[field] = f"{holder[field][:3]}\x00{holder[field][3:]}"
    await assert_callback_refused(payouts, route, {"callbacks": [item]})
