"""The sandbox card/ACH gateway: tokens, idempotent charges with declines, refunds, faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.sandbox.app import create_app

NUMBER = "4242424242424242"
CARD: dict[str, Any] = {"number": NUMBER, "exp_month": 12, "exp_year": 2030, "cvc": "123"}


@pytest.fixture
async def gw() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport,
                                 base_url="http://sandbox.test/gateway/v1") as client:
        yield client


async def tokenize(gw: httpx.AsyncClient, **method: Any) -> str:
    body = method or {"type": "card", "card": CARD}
    response = await gw.post("/payment-methods", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def charge(gw: httpx.AsyncClient, token: str, key: str, amount: str = "50.00"
                 ) -> httpx.Response:
    return await gw.post("/charges", json={"amount": amount, "payment_method": token},
                         headers={"Idempotency-Key": key})


async def test_tokenize_keeps_only_the_last_four(
    gw: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await gw.post("/payment-methods", json={"type": "card", "card": CARD})
    assert response.status_code == 201
    assert response.json()["last4"] == "4242"
    assert NUMBER not in response.text
    assert NUMBER not in caplog.text
    ach = {"type": "ach", "bank_account": {"routing_number": "110000000",
                                           "account_number": "000123456789"}}
    assert (await gw.post("/payment-methods", json=ach)).json()["type"] == "ach"
    mixed = {"type": "card", "bank_account": ach["bank_account"]}
    assert (await gw.post("/payment-methods", json=mixed)).status_code == 422


async def test_a_charge_is_keyed_by_its_idempotency_key(gw: httpx.AsyncClient) -> None:
    token = await tokenize(gw)
    first = await charge(gw, token, "k1")
    assert first.status_code == 201 and first.json()["status"] == "succeeded"
    again = await charge(gw, token, "k1")
    assert again.status_code == 200 and again.json() == first.json()
    assert (await charge(gw, token, "k1", amount="51.00")).status_code == 409
    assert len((await gw.get("/charges")).json()) == 1


@pytest.mark.parametrize(("number", "reason"), [("4000000000000002", "card_declined"),
                                                 ("4000000000009995", "insufficient_funds")])
async def test_test_cards_decline_with_a_reason(
    gw: httpx.AsyncClient, number: str, reason: str
) -> None:
    token = await tokenize(gw, type="card", card={**CARD, "number": number})
    declined = (await charge(gw, token, "k-decl")).json()
    assert (declined["status"], declined["decline_reason"]) == ("declined", reason)
    refund = await gw.post(f"/charges/{declined['id']}/refunds", json={"amount": "1.00"},
                           headers={"Idempotency-Key": "r"})
    assert refund.status_code == 409


async def test_unknown_token_and_injected_outage(gw: httpx.AsyncClient) -> None:
    assert (await charge(gw, "pm_0000000000000000", "k")).status_code == 422
    token = await tokenize(gw)
    assert (await gw.put("/sandbox/faults", json={"fail_next": 1})).status_code == 200
    assert (await charge(gw, token, "k2")).status_code == 503
    assert (await charge(gw, token, "k2")).status_code == 201  # nothing was recorded before


async def test_refunds_never_exceed_the_charge(gw: httpx.AsyncClient) -> None:
    paid = (await charge(gw, await tokenize(gw), "k3", amount="30.00")).json()
    path = f"/charges/{paid['id']}/refunds"
    first = await gw.post(path, json={"amount": "20.00"}, headers={"Idempotency-Key": "r1"})
    assert first.status_code == 201
    repeat = await gw.post(path, json={"amount": "20.00"}, headers={"Idempotency-Key": "r1"})
    assert repeat.status_code == 200 and repeat.json() == first.json()
    over = await gw.post(path, json={"amount": "10.01"}, headers={"Idempotency-Key": "r2"})
    assert over.status_code == 422
    assert (await gw.get(f"/charges/{paid['id']}")).json()["refunded"] == "20.00"
    assert (await gw.get("/charges/ch_missing")).status_code == 404
