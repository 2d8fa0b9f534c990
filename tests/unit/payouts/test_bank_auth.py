"""The bank's access token: fetched with a signed client assertion, cached until shortly
before it expires, one fetch under concurrency, re-fetched once on a 401."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

import httpx
import jwt
import pytest

from services.payouts.adapters.bank_auth import ASSERTION_TYPE, BankAuthError, TokenSource
from services.payouts.domain.model import Payee
from services.payouts.rails.concourse.client import ConcourseClient
from services.payouts.rails.jpm_payments.client import Debtor
from services.payouts.service.ports import Accepted, NotSent, PaymentInstruction, Status
from services.payouts.settings import PayoutsSettings
from shared.bank_keys import DEV_CLIENT_ID, DEV_KEY_ID, dev_public_key_pem
from shared.money import Money

TOKEN_URL = "https://bank.test/oauth2/token"
BASE = "https://bank.test/tsapi/v1/concourse"
E2E = "ABCDEFGH12345678"
INSTRUCTION = PaymentInstruction(E2E, Money.of("5.00"),
                                 Payee(kind="customer", name="Jane Doe",
                                       email="jane.doe@gmail.com"), None)


class FakeBank:
    """Token endpoint and payments API in one MockTransport; counts the token requests."""

    def __init__(self, lifetime_s: int = 300) -> None:
        self.lifetime_s = lifetime_s
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.forms: list[dict[str, str]] = []
        self.calls: list[httpx.Request] = []

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            await asyncio.sleep(0.01)  # a slow endpoint lets concurrent callers pile up
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            self.forms.append(form)
            token = f"t{len(self.issued)}"
            self.issued.append(token)
            return httpx.Response(200, json={"access_token": token, "token_type": "Bearer",
                                             "expires_in": self.lifetime_s})
        self.calls.append(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.issued or bearer in self.revoked:
            return httpx.Response(401)
        return self.answer(request)

    @staticmethod
    def answer(request: httpx.Request) -> httpx.Response:
        """Concourse's (Global Payments') shapes: 202 on a payment, ``paymentStatus`` on a
        status query."""
        if request.method == "POST":
            return httpx.Response(202, json={"paymentInitiationResponse": {
                "endToEndId": E2E, "firmRootId": "root-1"}})
        return httpx.Response(200, json={"paymentStatus": {"status": "INVITED"}})

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def source(bank: FakeBank, clock: Clock | None = None) -> TokenSource:
    credentials = PayoutsSettings(bank_token_url=TOKEN_URL).bank_credentials()
    return TokenSource(credentials, bank.client(), refresh_ahead_s=60,
                       monotonic=clock or Clock())


def concourse(bank: FakeBank, auth: TokenSource) -> ConcourseClient:
    """A J.P. Morgan rail client (Concourse's answers are what FakeBank gives)."""
    return ConcourseClient(BASE, debtor=Debtor("000009102574986"), client=bank.client(),
                           auth=auth, retries=0)


async def test_the_token_request_carries_a_signed_client_assertion() -> None:
    bank = FakeBank()
    assert await source(bank).token() == "t0"
    [form] = bank.forms
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == ASSERTION_TYPE
    assert form["scope"]
    header = jwt.get_unverified_header(form["client_assertion"])
    assert (header["alg"], header["kid"]) == ("ES256", DEV_KEY_ID)
    claims = jwt.decode(form["client_assertion"], dev_public_key_pem(), algorithms=["ES256"],
                        audience=TOKEN_URL, issuer=DEV_CLIENT_ID)
    assert claims["sub"] == DEV_CLIENT_ID and claims["jti"]
    assert claims["exp"] - claims["iat"] <= 60


async def test_the_token_is_cached_until_shortly_before_it_expires() -> None:
    bank, clock = FakeBank(lifetime_s=300), Clock()
    tokens = source(bank, clock)
    assert await tokens.token() == "t0"
    clock.now += 239  # 300 s lifetime, refreshed 60 s ahead
    assert await tokens.token() == "t0"
    clock.now += 1
    assert await tokens.token() == "t1"
    assert len(bank.forms) == 2
    assert bank.forms[0]["client_assertion"] != bank.forms[1]["client_assertion"]


async def test_concurrent_calls_with_an_expired_token_make_one_token_request() -> None:
    bank, clock = FakeBank(), Clock()
    tokens = source(bank, clock)
    await tokens.token()
    clock.now += 10_000
    client = concourse(bank, tokens)
    results = await asyncio.gather(*(client.status(E2E) for _ in range(20)))
    assert all(isinstance(r, Status) for r in results)
    assert bank.issued == ["t0", "t1"]
    assert {c.headers["Authorization"] for c in bank.calls} == {"Bearer t1"}


async def test_a_401_refetches_the_token_once_for_all_concurrent_callers() -> None:
    bank = FakeBank()
    tokens = source(bank)
    await tokens.token()
    bank.revoked.add("t0")  # the bank dropped it before its expiry
    client = concourse(bank, tokens)
    results = await asyncio.gather(*(client.status(E2E) for _ in range(10)))
    assert all(isinstance(r, Status) for r in results)
    assert bank.issued == ["t0", "t1"]


async def test_a_payment_carries_the_token_and_reads_the_banks_202() -> None:
    bank = FakeBank()
    result = await concourse(bank, source(bank)).send(INSTRUCTION)
    assert isinstance(result, Accepted) and result.payment.provider_reference == "root-1"
    [call] = bank.calls
    assert call.headers["Authorization"] == "Bearer t0"


async def test_a_second_401_is_not_retried_and_a_send_is_not_sent() -> None:
    bank = FakeBank()
    tokens = source(bank)
    bank.revoked.update({"t0", "t1", "t2"})
    client = concourse(bank, tokens)
    result = await client.send(INSTRUCTION)
    assert isinstance(result, NotSent) and "401" in result.reason
    assert len(bank.calls) == 2 and bank.issued == ["t0", "t1"]


async def test_a_refused_token_request_is_a_named_error() -> None:
    async def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    credentials = PayoutsSettings(bank_token_url=TOKEN_URL).bank_credentials()
    tokens = TokenSource(credentials, httpx.AsyncClient(transport=httpx.MockTransport(refuse)))
    with pytest.raises(BankAuthError, match="invalid_client"):
        await tokens.token()
