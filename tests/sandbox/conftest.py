"""In-process sandbox: the app over ``httpx.ASGITransport``, callbacks into a recording fake."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.sandbox.app import create_app
from services.sandbox.gp_answers import new_york_today
from services.sandbox.runtime import Sandbox
from services.sandbox.settings import SandboxSettings
from tests.bank_tokens import authorize

SECRET = "test-webhook-secret-abcdefghijklmnop"
# Concourse calls back at its registered client URL + /status (Global Payments' convention);
# the check printer at the URL each request names.
CONCOURSE_CLIENT_URL = "http://payouts.test/v1/callbacks/concourse"
CALLBACK_URL = CONCOURSE_CLIENT_URL + "/status"
CONCOURSE = "/tsapi/v1/concourse/payments"
CONCOURSE_STATUS = CONCOURSE + "/status"

_ids = itertools.count(1)


def e2e_id() -> str:
    """A fresh, valid endToEndId (alphanumerics only, at most 16)."""
    return f"T{next(_ids):08d}"


def gp_payments(end_to_end_id: str, amount: float, creditor: dict[str, Any]) -> dict[str, Any]:
    """A same-day credit in USD from our account at Chase to ``creditor``: the fields of the
    ``payments`` envelope that Global Payments v1 and Concourse (modelled on it) share."""
    return {
        "paymentIdentifiers": {"endToEndId": end_to_end_id},
        "requestedExecutionDate": new_york_today().isoformat(),
        "transferType": "CREDIT", "paymentCurrency": "USD", "paymentAmount": amount,
        "debtor": {"debtorAccount": {"accountId": "000009102574986", "accountType": "DDA"}},
        "debtorAgent": {"financialInstitutionId": {"bic": "CHASUS33"}},
        "creditor": creditor,
    }


def payment_body(end_to_end_id: str, amount: float = 125.00,
                 email: str = "jane.doe@example.com", **overrides: Any) -> dict[str, Any]:
    """A Concourse payment (modelled on Global Payments v1): the ``payments`` envelope with
    the payee by email; ``overrides`` replace fields of ``payments``."""
    payments = gp_payments(end_to_end_id, amount, {
        "creditorName": "Jane Doe", "creditorAccount": {
            "alternateAccountIdentifier": email, "schemeName": {"proprietary": "EMAL"}}})
    payments["remittanceInformation"] = {"unstructuredInformation": ["claim C-1"]}
    payments.update(overrides)
    return {"payments": payments}


def callback_items(harness: Harness, end_to_end_id: str) -> list[dict[str, Any]]:
    """The Global Payments-style callback items the sandbox sent about one payment."""
    items = [item for r in harness.receiver.requests
             for item in json.loads(r.content).get("callbacks", [])]
    return [i for i in items if i["endToEndId"] == end_to_end_id]


@dataclass
class Receiver:
    """Stands in for the payouts callback endpoint; answers from ``answers`` then 200."""

    answers: list[int | Exception] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return httpx.Response(answer)
        return httpx.Response(200)


@dataclass
class Harness:
    client: httpx.AsyncClient
    sandbox: Sandbox
    receiver: Receiver


@pytest.fixture
def make_settings(sandbox_db: str) -> Callable[..., SandboxSettings]:
    def make(**overrides: Any) -> SandboxSettings:
        values: dict[str, Any] = {
            "database_url": sandbox_db,
            "webhook_secret": SECRET,
            "settle_delay_ms": 10,
            "callback_retries": 3,
            "callback_backoff_ms": 5,
            "concourse_client_url": CONCOURSE_CLIENT_URL,
        }
        values.update(overrides)
        return SandboxSettings(**values)

    return make


@pytest.fixture
async def harness(make_settings: Callable[..., SandboxSettings]) -> AsyncIterator[Harness]:
    receiver = Receiver()
    callbacks = httpx.AsyncClient(transport=httpx.MockTransport(receiver.handle))
    app = create_app(make_settings(), callback_client=callbacks)
    sandbox = app.state.sandbox
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        await authorize(client)
        yield Harness(client, sandbox, receiver)
    # ASGITransport runs no lifespan: stop background tasks ourselves.
    await sandbox.aclose()
    await callbacks.aclose()
