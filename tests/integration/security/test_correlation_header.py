"""Regression (issue 17, item 2b): an ``X-Correlation-ID`` that is not UTF-8 (raw bytes such as
``b"\\xff\\xfe"``) made the correlation middleware raise ``UnicodeDecodeError`` before any route
ran: a 500 on every route, /healthz included. Such an id (or any not of printable ASCII) is
replaced by a fresh one; the request is served."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.billing.settings import BillingSettings
from services.claims.settings import ClaimsSettings
from services.payouts.settings import PayoutsSettings
from shared.auth import Role
from shared.settings import ServiceSettings
from tests.integration.security.conftest import bearer

BAD_IDS = [b"\xff\xfe", b"caf\xc3", b"ok\x01ctl", b"sp ace", "é".encode()]


async def assert_served_with_a_fresh_id(client: httpx.AsyncClient, path: str,
                                        headers: dict[str, str], bad: bytes,
                                        status: int = 200) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    response = await client.get(path, headers=[*raw, (b"X-Correlation-ID", bad)])
    assert response.status_code == status, response.text
    answered = response.headers["x-correlation-id"]
    assert answered.encode() != bad
    uuid.UUID(answered)


async def check_service(client: httpx.AsyncClient, settings: ServiceSettings, role: Role,
                        path: str, bad: bytes, status: int = 200) -> None:
    await assert_served_with_a_fresh_id(client, "/healthz", {}, bad)
    await assert_served_with_a_fresh_id(client, path, bearer(settings, role), bad, status)
    kept = await client.get("/healthz", headers={"X-Correlation-ID": "flow-42.a:b"})
    assert kept.headers["x-correlation-id"] == "flow-42.a:b"


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_claims(claims: tuple[httpx.AsyncClient, ClaimsSettings], bad: bytes) -> None:
    await check_service(*claims, Role.AGENT, "/v1/claims", bad)


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_billing(billing: tuple[httpx.AsyncClient, BillingSettings], bad: bytes) -> None:
    # Past the token: no account has this customer (a 404 problem, not a 500).
    await check_service(*billing, Role.AGENT, f"/v1/accounts?customer_id={uuid.uuid4()}", bad,
                        404)


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_payouts(payouts: tuple[httpx.AsyncClient, PayoutsSettings], bad: bytes) -> None:
    await check_service(*payouts, Role.PAYABLES, "/v1/payouts", bad)
