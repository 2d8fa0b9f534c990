"""Signed status callbacks with bounded retries, like a provider's webhook delivery."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

import httpx

from shared.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, timestamp_now

from .concourse_schemas import callback_body as concourse_callback_body
from .jpm_schemas import callback_body as jpm_callback_body
from .lob_objects import lob_event
from .notifications import notification_headers
from .state import Clock, Payment, Rail

log = logging.getLogger(__name__)

# Exponential backoff never waits longer than this between two attempts.
MAX_BACKOFF_S = 5.0


def build_event(payment: Payment, clock: Clock) -> bytes | None:
    """The callback body, serialised once: a duplicate delivery must be the same bytes and the
    same eventId, which is what lets the receiver deduplicate it. J.P. Morgan's payments (and
    Concourse, modelled on them) call back in its ``{"callbacks": [...]}`` shape (no event id:
    the payment and its status identify the event); a check's is Lob's ``event`` (None where
    Lob has none: cashed and stopped are the bank's word, not the printer's)."""
    if payment.rail is Rail.ZELLE:
        return json.dumps(jpm_callback_body(payment)).encode()
    if payment.rail is Rail.CONCOURSE:
        return json.dumps(concourse_callback_body(payment)).encode()
    lob = lob_event(payment, clock.now())
    return None if lob is None else json.dumps(lob).encode()


class CallbackSender:
    """POSTs signed callbacks; retries on a connection error or a non-2xx answer."""

    def __init__(
        self,
        secret: str,
        retries: int,
        backoff_s: float,
        client: Callable[[], httpx.AsyncClient],
    ) -> None:
        self._secret = secret
        self._retries = retries
        self._backoff_s = backoff_s
        # A provider, not a client: the shared client may be created lazily after this sender.
        self._client = client

    def _delay(self, retry: int) -> float:
        return float(min(self._backoff_s * 2 ** (retry - 1), MAX_BACKOFF_S))

    async def deliver(self, url: str, body: bytes) -> bool:
        """True once the receiver answered 2xx; False after the last retry failed."""
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._delay(attempt))
            # Signed per attempt with the real time: a retry minutes later must still fall in the
            # receiver's freshness window. Both providers' signatures on every callback: Lob's
            # webhook signature (the check rail checks it) and J.P. Morgan's notification
            # signature (its rails check that).
            timestamp = timestamp_now(time.time())
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(self._secret, timestamp, body),
                **notification_headers(body),
            }
            try:
                response = await self._client().post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                log.warning("callback to %s failed (attempt %d): %r", url, attempt + 1, exc)
                continue
            if response.is_success:
                return True
            log.warning(
                "callback to %s answered %d (attempt %d)", url, response.status_code, attempt + 1
            )
        log.error("callback to %s given up after %d attempts", url, self._retries + 1)
        return False
