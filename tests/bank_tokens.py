"""A bearer token from the provider sandbox for tests that call its J.P. Morgan routes
directly, obtained the way payouts obtains it (the development client assertion)."""

from __future__ import annotations

import httpx

from services.payouts.adapters.bank_auth import TokenSource
from services.payouts.settings import PayoutsSettings


async def authorize(client: httpx.AsyncClient) -> None:
    """Make every later call of ``client`` (based at the sandbox) carry a bearer token."""
    url = str(client.base_url.join("/oauth2/token"))
    credentials = PayoutsSettings(bank_token_url=url).bank_credentials()
    token = await TokenSource(credentials, client).token()
    client.headers["Authorization"] = f"Bearer {token}"
