"""OAuth2 client credentials with a signed JWT client assertion (RFC 7523), as J.P. Morgan's
APIs are called: the access token is fetched with an assertion signed by our private key and
sent as ``Authorization: Bearer`` on every call to a J.P. Morgan rail.

The assertion is Authlib's (``private_key_jwt_sign``: iss = sub = client id, aud = the token
URL, a fresh jti, a short exp). The token request and its cache are ours rather than Authlib's
``AsyncOAuth2Client``: that client is its own ``httpx.AsyncClient`` and would bypass the shared
transport and TLS configuration of ``shared/http.py`` (mutual TLS, aiohttp), and its token
lock does not make concurrent first fetches share one request. Here one lock guards the cache:
N concurrent calls with an expired token make one token request, and N concurrent 401s with
the same stale token make one re-fetch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from joserfc.jwk import import_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# The assertion only has to survive the token request; a short life limits a leaked one.
ASSERTION_LIFETIME_S = 60


@dataclass(frozen=True)
class BankCredentials:
    token_url: str
    client_id: str
    private_key_pem: bytes
    key_id: str
    scope: str
    alg: str = "ES256"


class BankAuthError(Exception):
    """No access token: the token endpoint refused us or could not be reached."""


@dataclass(frozen=True)
class _Token:
    value: str
    refresh_at: float  # monotonic: when to fetch a new one, shortly before it expires


class TokenSource:
    """The current access token of one client id, fetched once and shared by every rail."""

    def __init__(
        self,
        credentials: BankCredentials,
        client: httpx.AsyncClient,
        *,
        refresh_ahead_s: float = 60,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        # A typed joserfc key: Authlib deprecates (and warns on) signing with raw PEM bytes.
        self._key = import_key(credentials.private_key_pem,
                               "EC" if credentials.alg.startswith("ES") else "RSA")
        self._client = client
        self._refresh_ahead_s = refresh_ahead_s
        self._monotonic = monotonic
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def token(self) -> str:
        """The cached token, or a new one if it is about to expire."""
        if (token := self._fresh()) is not None:
            return token
        async with self._lock:
            # Another caller may have fetched it while this one waited for the lock.
            if (token := self._fresh()) is not None:
                return token
            return await self._fetch()

    async def refreshed(self, rejected: str) -> str:
        """A new token after the provider answered 401 to ``rejected``; if another caller has
        already replaced it, that replacement (one re-fetch for N rejected calls)."""
        async with self._lock:
            if self._token is not None and self._token.value != rejected:
                return self._token.value
            return await self._fetch()

    def _fresh(self) -> str | None:
        token = self._token
        if token is not None and self._monotonic() < token.refresh_at:
            return token.value
        return None

    async def _fetch(self) -> str:
        started = self._monotonic()
        try:
            response = await self._client.post(self._credentials.token_url, data=self._form())
        except httpx.HTTPError as exc:
            raise BankAuthError(f"token endpoint unreachable: {exc!r}") from exc
        if response.status_code != 200:
            raise BankAuthError(f"token endpoint answered {response.status_code}: "
                                f"{response.text[:200]}")
        try:
            body = response.json()
            value, lifetime = str(body["access_token"]), float(body["expires_in"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BankAuthError(f"unreadable token answer: {exc!r}") from exc
        # Measured from before the request: the token's clock started when the bank issued it.
        refresh_at = started + max(lifetime - self._refresh_ahead_s, 0.0)
        self._token = _Token(value, refresh_at)
        return value

    def _form(self) -> dict[str, str]:
        creds = self._credentials
        assertion = private_key_jwt_sign(
            self._key, creds.client_id, creds.token_url, alg=creds.alg,
            header={"kid": creds.key_id, "typ": "JWT"}, expires_in=ASSERTION_LIFETIME_S)
        return {
            "grant_type": "client_credentials",
            "scope": creds.scope,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": str(assertion),
        }
