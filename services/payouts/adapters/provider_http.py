"""What every rail client shares: one HTTP discipline for providers that key a payment by our
end-to-end id (Concourse, Zelle, the check printer).

The end-to-end id makes a repeat a status query at the provider, so every retry here (5xx, 429,
connection refused) reuses it and can never create a second payment. A timeout is different:
the provider may have the payment, so it is *not* retried here but returned as ``Unknown`` for
the recovery loop to settle by status query. When every try failed in a way that proves nothing
was created (connection refused, 429, 503), the answer is ``NotSent``: the payout may still be
cancelled, or sent again later with the same id. A rail client says only where to send, what body
to send and how to read the provider's record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import ValidationError

from services.payouts.adapters.bank_auth import BankAuthError, TokenSource
from services.payouts.domain.model import Rail
from services.payouts.metrics import PROVIDER_ERRORS
from services.payouts.service.ports import (
    Accepted,
    NotFound,
    NotSent,
    PaymentInstruction,
    ProviderPayment,
    Rejected,
    SendResult,
    Status,
    StatusResult,
    Unknown,
)
from shared import http

log = logging.getLogger(__name__)


class ProviderError(Exception):
    """Base of the client's named errors; the public methods turn them into results."""

    # Set by ``_call`` when no try of the request can have created anything at the provider.
    nothing_created: bool = False


class ProviderTimeoutError(ProviderError):
    """No answer in time: the provider may or may not have acted."""


class ProviderConnectionError(ProviderError):
    """The connection failed (before sending: retried; after: the outcome is unknown)."""


class ProviderUnavailableError(ProviderError):
    """5xx answers until the retries ran out."""


class ProviderRateLimitedError(ProviderError):
    """429 answers until the retries ran out (or Retry-After asked for too long a wait)."""


class ProviderUnauthorizedError(ProviderError):
    """No token, or the provider refused the token twice (401 after a re-fetch): the request
    was turned away before the provider acted on it."""


class ProviderProtocolError(ProviderError):
    """An answer we cannot read: unknown status, malformed body."""


def retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


class ProviderClient:
    """Base of the rail clients. Subclasses set ``RAIL``, ``CREATE_PATH`` and ``STATUS_PATH``
    and implement ``body`` and ``read``; a rail whose answers do not carry the end-to-end id or
    whose errors have their own envelope overrides ``read_answer``, ``refused``, ``not_found``
    and ``_detail``."""

    RAIL: Rail
    CREATE_PATH: str
    STATUS_PATH: str
    # 202: a provider that takes the payment for asynchronous processing (J.P. Morgan).
    ACCEPTED_STATUSES: tuple[int, ...] = (200, 201, 202)

    def __init__(
        self,
        base_url: str,
        *,
        callback_url: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout_s: float = 10,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        auth: TokenSource | None = None,
        tls: http.ClientTls = http.DEFAULT_TLS,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._callback_url = callback_url
        # An injected client (tests: ASGITransport to the sandbox) belongs to the caller.
        self._owns_client = client is None
        self._client = client or http.client(timeout_s, tls)
        self._timeout_s = timeout_s
        self._retries = retries
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._sleep = sleep
        # J.P. Morgan rails: a bearer token on every call; the check printer has its own key.
        self._auth = auth

    @property
    def rail(self) -> Rail:
        return self.RAIL

    @property
    def auth(self) -> TokenSource | None:
        return self._auth

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def body(self, instruction: PaymentInstruction) -> dict[str, Any]:
        raise NotImplementedError

    def read(self, content: bytes) -> ProviderPayment:
        """The provider's record; raises ``ValidationError`` or ``ProviderProtocolError``."""
        raise NotImplementedError

    def read_answer(self, response: httpx.Response, end_to_end_id: str) -> ProviderPayment:
        """The provider's record from a successful answer about ``end_to_end_id``."""
        del end_to_end_id  # the default rails' records name it themselves
        return self.read(response.content)

    def not_found(self, response: httpx.Response) -> bool:
        """Does this status answer say the provider never saw the end-to-end id?"""
        return response.status_code == 404

    def refused(self, response: httpx.Response, end_to_end_id: str) -> SendResult:
        """What a create answer that is neither success nor retried (5xx, 429) means."""
        extra = {"attempt_id": end_to_end_id}
        detail = self._detail(response)
        if response.status_code in (400, 422):
            self._count("rejected")
            log.warning("create payment rejected (%d): %s", response.status_code, detail,
                        extra=extra)
            return Rejected(response.status_code, detail)
        # 409: the id is taken by a different instruction. Not ours to fail or resend: the
        # status query shows what the provider holds and the amount check refuses a stranger.
        kind = "conflict" if response.status_code == 409 else "unexpected_status"
        self._count(kind)
        log.error("create payment answered %d: %s", response.status_code, detail, extra=extra)
        return Unknown(f"provider answered {response.status_code}: {detail}")

    async def send(self, instruction: PaymentInstruction) -> SendResult:
        return await self._create(instruction.end_to_end_id, self.body(instruction))

    async def status(self, end_to_end_id: str) -> StatusResult:
        extra = {"attempt_id": end_to_end_id}
        try:
            response = await self._call("GET", self._url(self.STATUS_PATH),
                                        params={"endToEndId": end_to_end_id})
            if response.status_code == 200:
                return Status(self._payment(response, end_to_end_id))
        except ProviderError as exc:
            log.warning("status query failed: %s", exc, extra=extra)
            return Unknown(f"{type(exc).__name__}: {exc}")
        if self.not_found(response):
            return NotFound(end_to_end_id)
        self._count("unexpected_status")
        log.error("status query answered %d: %s", response.status_code,
                  self._detail(response), extra=extra)
        return Unknown(f"provider answered {response.status_code}")

    async def _create(self, end_to_end_id: str, body: dict[str, Any]) -> SendResult:
        extra = {"attempt_id": end_to_end_id}
        try:
            response = await self._call("POST", self._url(self.CREATE_PATH), json=body)
            if response.status_code in self.ACCEPTED_STATUSES:
                return Accepted(self._payment(response, end_to_end_id),
                                created=response.status_code != 200)
        except ProviderError as exc:
            if exc.nothing_created:
                log.warning("create payment: not sent: %s", exc, extra=extra)
                return NotSent(f"{type(exc).__name__}: {exc}")
            log.warning("create payment: outcome unknown: %s", exc, extra=extra)
            return Unknown(f"{type(exc).__name__}: {exc}")
        return self.refused(response, end_to_end_id)

    async def _action(self, path: str, end_to_end_id: str) -> Status | Rejected | Unknown:
        """POST an action on an existing payment (void, stop): the new record, a refusal
        (409: not possible in its state), or unknown."""
        try:
            response = await self._call("POST", self._url(path))
            if response.status_code == 200:
                return Status(self._payment(response, end_to_end_id))
        except ProviderError as exc:
            log.warning("%s: outcome unknown: %s", path, exc, extra={"attempt_id": end_to_end_id})
            return Unknown(f"{type(exc).__name__}: {exc}")
        if response.status_code in (404, 409, 422):
            return Rejected(response.status_code, self._detail(response))
        return Unknown(f"provider answered {response.status_code}")

    def _url(self, path: str) -> str:
        return f"{self._base_url}/{path.lstrip('/')}"

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request with retries on 5xx, 429 and refused connections; raises the named
        error once retrying is exhausted or cannot be safe, with ``nothing_created`` set if
        every try was refused before the provider could act on it."""
        nothing_created = True
        for attempt in range(self._retries + 1):
            wait = self._backoff(attempt)
            try:
                # A hard deadline over the whole exchange: httpx's timeouts are per phase.
                async with asyncio.timeout(self._timeout_s):
                    response = await self._authorized(method, url, **kwargs)
            except ProviderUnauthorizedError as exc:
                exc.nothing_created = nothing_created
                raise
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self._count("connect")  # nothing was sent: safe to try again
                error: ProviderError = ProviderConnectionError(repr(exc))
            except (TimeoutError, httpx.TimeoutException) as exc:
                self._count("timeout")
                raise ProviderTimeoutError(f"no answer within {self._timeout_s}s") from exc
            except httpx.TransportError as exc:
                self._count("transport")
                raise ProviderConnectionError(repr(exc)) from exc
            else:
                if response.status_code == 429:
                    self._count("rate_limited")
                    error = ProviderRateLimitedError("429 Too Many Requests")
                    wait = retry_after_s(response) or wait
                elif response.status_code >= 500:
                    self._count("unavailable")
                    error = ProviderUnavailableError(f"{response.status_code} from provider")
                    wait = retry_after_s(response) or wait
                    # A 503 says the request was not taken; a 500, 502 or 504 may come from a
                    # provider (or a gateway in front of it) that already acted on it.
                    nothing_created = nothing_created and response.status_code == 503
                else:
                    return response
            if attempt == self._retries or wait > self._max_backoff_s:
                error.nothing_created = nothing_created
                raise error
            await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _authorized(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The request with the bearer token; on a 401 once more with a re-fetched token (it
        may have been revoked, or expired early by the bank's clock)."""
        if self._auth is None:
            return await self._client.request(method, url, **kwargs)
        try:
            token = await self._auth.token()
            response = await self._send_with(token, method, url, **kwargs)
            if response.status_code != 401:
                return response
            self._count("unauthorized")
            token = await self._auth.refreshed(token)
        except BankAuthError as exc:
            self._count("token")
            raise ProviderUnauthorizedError(str(exc)) from exc
        response = await self._send_with(token, method, url, **kwargs)
        if response.status_code == 401:
            self._count("unauthorized")
            raise ProviderUnauthorizedError("401 from provider with a freshly fetched token")
        return response

    async def _send_with(self, token: str, method: str, url: str,
                         **kwargs: Any) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {token}"}
        return await self._client.request(method, url, headers=headers, **kwargs)

    def _backoff(self, attempt: int) -> float:
        return float(min(self._backoff_s * 2**attempt, self._max_backoff_s))

    def _payment(self, response: httpx.Response, end_to_end_id: str) -> ProviderPayment:
        try:
            return self.read_answer(response, end_to_end_id)
        except ValidationError as exc:
            self._count("protocol")
            raise ProviderProtocolError(f"unreadable payment resource: {exc}") from exc
        except ProviderProtocolError:
            self._count("protocol")
            raise

    def _detail(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text[:200]
        if isinstance(body, dict):
            return str(body.get("detail") or body.get("title") or body)[:500]
        return str(body)[:500]

    def _count(self, kind: str) -> None:
        PROVIDER_ERRORS.labels(self.rail.value, kind).inc()
