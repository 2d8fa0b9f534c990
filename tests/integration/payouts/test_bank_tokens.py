"""Payouts calls the J.P. Morgan rails (the sandbox) with a bearer token it obtained with a
signed client assertion; the sandbox refuses forged and replayed assertions."""

from __future__ import annotations

import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from services.payouts.adapters.bank_auth import ASSERTION_TYPE
from services.payouts.service.dispatch import dispatch_once
from shared.bank_keys import DEV_CLIENT_ID, dev_private_key_pem
from shared.messaging.contracts import Rail

from .conftest import SANDBOX_BASE, World, command, pro
from .helpers import attempts

TOKEN_URL = f"{SANDBOX_BASE}/oauth2/token"


def assertion(key_pem: bytes, *, jti: str | None = None, aud: str = TOKEN_URL,
              lifetime_s: int = 60) -> str:
    now = int(time.time())
    claims = {"iss": DEV_CLIENT_ID, "sub": DEV_CLIENT_ID, "aud": aud, "iat": now,
              "exp": now + lifetime_s, "jti": jti or str(uuid.uuid4())}
    return jwt.encode(claims, key_pem, algorithm="ES256")


def form(signed: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": signed}


async def test_a_rail_call_carries_a_bearer_token_from_a_valid_assertion(world: World) -> None:
    await world.request(command(rail=Rail.CONCOURSE))
    await world.request(command(rail=Rail.ZELLE, payee=pro()))
    assert await dispatch_once(world.deps) == 2
    assert {a.status for a in await attempts(world)} <= {"submitted", "paid"}
    assert len(await world.ledger()) == 2
    # Both J.P. Morgan rails share one token: one token request for two payments.
    assert world.sandbox.authority.issued == 1


async def test_a_revoked_token_is_refetched_once_and_the_payment_goes_through(
    world: World,
) -> None:
    await world.request(command())
    assert await dispatch_once(world.deps) == 1
    expired = await world.sandbox_http.post("/sandbox/oauth2/expire")
    assert expired.json() == {"expired": 1}
    await world.request(command())
    assert await dispatch_once(world.deps) == 1
    assert [a.status for a in await attempts(world)] == ["submitted", "submitted"]
    assert world.sandbox.authority.issued == 2
    assert len(await world.ledger()) == 2


async def test_the_sandbox_issues_a_token_for_a_valid_assertion_once(world: World) -> None:
    signed = assertion(dev_private_key_pem())
    first = await world.sandbox_http.post("/oauth2/token", data=form(signed))
    assert first.status_code == 200, first.text
    assert first.json()["token_type"] == "Bearer" and first.json()["expires_in"] > 0
    replay = await world.sandbox_http.post("/oauth2/token", data=form(signed))
    assert replay.status_code == 401
    assert "jti already used" in replay.json()["error_description"]


async def test_the_sandbox_refuses_a_forged_or_misaddressed_assertion(world: World) -> None:
    forger = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    refused = {
        "forged": assertion(forger),
        "wrong audience": assertion(dev_private_key_pem(), aud="https://elsewhere/token"),
        "expired": assertion(dev_private_key_pem(), lifetime_s=-10),
    }
    for why, signed in refused.items():
        response = await world.sandbox_http.post("/oauth2/token", data=form(signed))
        assert response.status_code == 401, why
        assert response.json()["error"] == "invalid_client", why


async def test_the_bank_routes_refuse_a_call_without_a_live_token(world: World) -> None:
    for headers in ({}, {"Authorization": "Bearer made-up"}):
        response = await world.sandbox_http.get(
            "/tsapi/v1/payments/status", params={"endToEndId": "ABCDEFGH12345678"},
            headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith(":unauthorized")
