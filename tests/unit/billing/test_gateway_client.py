"""The gateway adapter: what each gateway answer becomes; settings' default gateway URL."""

from __future__ import annotations

import json

import httpx
import pytest

from services.billing.adapters.gateway import Charged, Declined, GatewayClient, GatewayRefused
from services.billing.domain.errors import GatewayUnavailable
from services.billing.settings import BillingSettings
from shared.money import Money

METHOD = {"token": "pm_0123456789abcdef", "type": "card", "last4": "4242"}


def client_answering(status: int, body: object, seen: list[httpx.Request] | None = None
                     ) -> GatewayClient:
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=body)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return GatewayClient("http://gw.test/gateway/v1", client=http)


async def test_a_succeeded_charge_carries_the_key_and_no_card_data() -> None:
    seen: list[httpx.Request] = []
    gateway = client_answering(201, {"id": "ch_1", "status": "succeeded",
                                     "payment_method": METHOD}, seen)
    result = await gateway.charge("bill-k", Money.of("12.50"), METHOD["token"], "portal")
    assert result == Charged("ch_1", "card", "4242")
    assert seen[0].headers["Idempotency-Key"] == "bill-k"
    assert json.loads(seen[0].content) == {"amount": "12.50", "currency": "USD",
                                           "payment_method": METHOD["token"],
                                           "description": "portal"}


async def test_a_decline_is_an_answer_with_its_reason() -> None:
    gateway = client_answering(201, {"id": "ch_2", "status": "declined",
                                     "decline_reason": "insufficient_funds",
                                     "payment_method": METHOD})
    assert await gateway.charge("k", Money.of("1.00"), "pm_x", "d") == Declined(
        "ch_2", "insufficient_funds")


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_server_errors_are_unavailable(status: int) -> None:
    with pytest.raises(GatewayUnavailable, match=str(status)):
        await client_answering(status, {}).charge("k", Money.of("1.00"), "pm_x", "d")


async def test_client_errors_are_refusals() -> None:
    with pytest.raises(GatewayRefused, match="no payment method"):
        await client_answering(422, {"detail": "no payment method pm_x"}).charge(
            "k", Money.of("1.00"), "pm_x", "d")


async def test_no_answer_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    gateway = GatewayClient("http://gw.test", client=httpx.AsyncClient(
        transport=httpx.MockTransport(refuse)))
    with pytest.raises(GatewayUnavailable, match="ConnectError"):
        await gateway.refund("k", "ch_1", Money.of("1.00"))


def test_the_default_gateway_follows_the_sandbox_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_PORT", "18009")
    assert BillingSettings().gateway_base_url == "http://127.0.0.1:18009/gateway/v1"
    monkeypatch.setenv("BILLING_GATEWAY_BASE_URL", "https://gw.example.com/v1")
    assert BillingSettings().gateway_base_url == "https://gw.example.com/v1"
