"""J.P. Morgan's notification keys as the sandbox bank publishes them, for tests that run the
payouts API without a sandbox: its callbacks are verified against the sandbox's key set."""

from __future__ import annotations

import httpx

from services.payouts.rails.jpm_payments.notifications import NotificationKeys
from services.sandbox.notifications import public_keys

URL = "http://bank.test/public-keys"


def sandbox_bank_keys() -> NotificationKeys:
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=await public_keys())

    return NotificationKeys(URL, httpx.AsyncClient(transport=httpx.MockTransport(answer)))
