"""Card/ACH gateway client over httpx: charge a tokenized payment method, refund a charge.

Every call carries an idempotency key, so a retry (ours, or the client's after a timeout) is
answered with the first result and never charges twice. The client only ever handles ``pm_``
tokens and the gateway's ids; card and bank numbers never reach this service.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from services.billing.domain.errors import GatewayUnavailable
from shared import http
from shared.money import Money

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Charged:
    charge_id: str
    method_type: str
    method_last4: str | None


@dataclass(frozen=True)
class Declined:
    charge_id: str
    reason: str


@dataclass(frozen=True)
class Refunded:
    refund_id: str


class GatewayRefused(Exception):
    """The gateway answered 4xx: the request itself is wrong (unknown token, reused key)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"gateway refused ({status}): {detail}")
        self.status = status
        self.detail = detail


class GatewayClient:
    def __init__(self, base_url: str, *, client: httpx.AsyncClient | None = None,
                 timeout_s: float = 10) -> None:
        self._base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client or http.client(timeout_s)
        self._timeout_s = timeout_s

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def charge(self, key: str, amount: Money, method_token: str, description: str
                     ) -> Charged | Declined:
        body = {"amount": str(amount), "currency": amount.currency,
                "payment_method": method_token, "description": description}
        data = await self._post("/charges", key, body)
        method = data.get("payment_method") or {}
        if data.get("status") == "succeeded":
            return Charged(str(data["id"]), str(method.get("type", "card")), method.get("last4"))
        return Declined(str(data["id"]), str(data.get("decline_reason") or "declined"))

    async def refund(self, key: str, charge_id: str, amount: Money) -> Refunded:
        data = await self._post(f"/charges/{charge_id}/refunds", key, {"amount": str(amount)})
        return Refunded(str(data["id"]))

    async def _post(self, path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._timeout_s):
                response = await self._client.post(
                    self._base_url + path, json=body, headers={"Idempotency-Key": key}
                )
        except (TimeoutError, httpx.HTTPError) as exc:
            log.warning("gateway %s failed: %s", path, type(exc).__name__)
            raise GatewayUnavailable(f"the payment gateway did not answer ({type(exc).__name__})"
                                     ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise GatewayUnavailable(f"the payment gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise GatewayRefused(response.status_code, _detail(response))
        payload = response.json()
        if not isinstance(payload, dict):
            raise GatewayUnavailable("the payment gateway answered an unreadable body")
        return payload


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail") or body.get("title") or body)[:300] if isinstance(
        body, dict) else str(body)[:300]
