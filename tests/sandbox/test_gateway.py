"""The sandbox card/ACH gateway: tokens, idempotent charges with declines, refunds, faults,
kept in the sandbox's database (a restarted sandbox, another app on the same database, still
knows every token, charge, refund and key) and safe when requests race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings
from services.sandbox.tables import (
    gateway_charges,
    gateway_idempotency_keys,
    gateway_payment_methods,
    gateway_refunds,
)

NUMBER = "4242424242424242"
CARD: dict[str, Any] = {"number": NUMBER, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
GATEWAY = "http://sandbox.test/gateway/v1"
# A sandbox process on the test database: entering it starts one, leaving it stops it.
Process = Callable[[], AbstractAsyncContextManager[FastAPI]]


@pytest.fixture
def process(sandbox_db: str) -> Process:
    @asynccontextmanager
    async def run() -> AsyncIterator[FastAPI]:
        app = create_app(SandboxSettings(database_url=sandbox_db))
        try:
            yield app
        finally:
            await app.state.sandbox.aclose()  # ASGITransport runs no lifespan

    return run


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=GATEWAY)


@pytest.fixture
async def app(process: Process) -> AsyncIterator[FastAPI]:
    async with process() as app:
        yield app


@pytest.fixture
async def gw(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(app) as client:
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


async def test_the_database_holds_no_card_or_account_number(
    gw: httpx.AsyncClient, app: FastAPI
) -> None:
    token = await tokenize(gw)
    account = "000123456789"
    await tokenize(gw, type="ach", bank_account={"routing_number": "110000000",
                                                 "account_number": account})
    paid = (await charge(gw, token, "k-pan")).json()
    await gw.post(f"/charges/{paid['id']}/refunds", json={"amount": "1.00"},
                  headers={"Idempotency-Key": "r-pan"})
    tables = (gateway_payment_methods, gateway_charges, gateway_refunds,
              gateway_idempotency_keys)
    async with app.state.sandbox.engine.connect() as conn:
        stored = [str(row) for t in tables for row in (await conn.execute(sa.select(t))).all()]
    assert len(stored) == 6
    assert not [row for row in stored if NUMBER in row or account in row]


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
    # A NUL cannot be in a stored id (nor sent to PostgreSQL): not found, not a 500.
    assert (await gw.get("/charges/ch%00x")).status_code == 404
    nul = await gw.post("/charges/ch%00x/refunds", json={"amount": "1.00"},
                        headers={"Idempotency-Key": "r3"})
    assert nul.status_code == 404


async def test_a_restarted_sandbox_knows_every_token_charge_refund_and_key(
    process: Process
) -> None:
    async with process() as first, client_of(first) as gw:
        token = await tokenize(gw)
        made = [(await charge(gw, token, f"k-{n}", amount=f"{n}0.01")).json() for n in (1, 2)]
        path = f"/charges/{made[0]['id']}/refunds"
        refunded = await gw.post(path, json={"amount": "0.01"}, headers={"Idempotency-Key": "r"})
        assert refunded.status_code == 201
        charged = (await gw.get(f"/charges/{made[0]['id']}")).json()
    async with process() as second, client_of(second) as gw:  # another process, same database
        assert (await gw.get(f"/charges/{made[0]['id']}")).json() == charged
        assert charged["refunded"] == "0.01" and charged["amount"] == "10.01"
        assert datetime.fromisoformat(charged["created_at"]).utcoffset() is not None
        assert (await gw.get("/charges")).json() == [charged, made[1]]  # oldest first
        again = await charge(gw, token, "k-1", amount="10.01")
        assert again.status_code == 200 and again.json() == charged
        assert (await charge(gw, token, "k-1", amount="10.02")).status_code == 409
        repeat = await gw.post(path, json={"amount": "0.01"}, headers={"Idempotency-Key": "r"})
        assert repeat.status_code == 200 and repeat.json() == refunded.json()
        assert (await charge(gw, token, "k-3")).status_code == 201  # the token too


async def test_a_reset_forgets_the_gateway(gw: httpx.AsyncClient) -> None:
    paid = (await charge(gw, await tokenize(gw), "k-reset")).json()
    assert (await gw.post("http://sandbox.test/sandbox/reset")).status_code == 200
    assert (await gw.get("/charges")).json() == []
    assert (await gw.get(f"/charges/{paid['id']}")).status_code == 404


async def test_racing_requests_with_one_key_make_one_charge(process: Process) -> None:
    # Two sandbox processes on one database, four requests each, all at once.
    async with process() as a, process() as b, client_of(a) as gw_a, client_of(b) as gw_b:
        token = await tokenize(gw_a)
        answers = await asyncio.gather(*(charge(gw, token, "k-race")
                                         for gw in [gw_a, gw_b] * 4))
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200] * 7 + [201], [r.text for r in answers]
        assert len({r.json()["id"] for r in answers}) == 1
        assert len((await gw_b.get("/charges")).json()) == 1


async def test_racing_refunds_never_exceed_the_charge(process: Process) -> None:
    async with process() as a, process() as b, client_of(a) as gw_a, client_of(b) as gw_b:
        paid = (await charge(gw_a, await tokenize(gw_a), "k-big", amount="30.00")).json()
        path = f"/charges/{paid['id']}/refunds"
        answers = await asyncio.gather(*(
            gw.post(path, json={"amount": "7.50"}, headers={"Idempotency-Key": f"r-{n}"})
            for n, gw in enumerate([gw_a, gw_b] * 4)))
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [201] * 4 + [422] * 4, [r.text for r in answers]
        left = [r.json()["detail"] for r in answers if r.status_code == 422]
        assert left == ["0.00 is left to refund"] * 4
        after = (await gw_b.get(f"/charges/{paid['id']}")).json()
        assert after["refunded"] == "30.00"
        assert sum(Decimal(r.json()["amount"]) for r in answers if r.status_code == 201) == 30
