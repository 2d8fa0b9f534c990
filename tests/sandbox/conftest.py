"""In-process sandbox: the app over ``httpx.ASGITransport``, callbacks into a recording fake."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.sandbox.app import create_app
from services.sandbox.runtime import Sandbox
from services.sandbox.settings import SandboxSettings
from tests.bank_tokens import authorize

SECRET = "test-webhook-secret-abcdefghijklmnop"
CALLBACK_URL = "http://payouts.test/v1/provider-callbacks/concourse"

_ids = itertools.count(1)


def e2e_id() -> str:
    """A fresh, valid endToEndId (alphanumerics only, at most 16)."""
    return f"T{next(_ids):08d}"


def payment_body(end_to_end_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "endToEndId": end_to_end_id,
        "amount": "125.00",
        "currency": "USD",
        "payee": {"name": "Jane Doe", "email": "jane.doe@example.com", "mobile": None},
        "callbackUrl": CALLBACK_URL,
        "memo": "claim C-1",
    }
    body.update(overrides)
    return body


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
def make_settings() -> Callable[..., SandboxSettings]:
    def make(**overrides: Any) -> SandboxSettings:
        values: dict[str, Any] = {
            "webhook_secret": SECRET,
            "settle_delay_ms": 10,
            "callback_retries": 3,
            "callback_backoff_ms": 5,
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
