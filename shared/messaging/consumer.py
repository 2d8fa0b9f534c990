"""Consumer: manual ack after the handler's commit, bounded delayed retries, a parking queue.

What each outcome does (decided here, not by aio-pika's defaults):
- handler returned          -> ack (its transaction, with the inbox row, has committed)
- not authentic             -> parked at once, counted in ``messages_refused_total``: no
                               trusted key signed it, or the signer is not the producer it
                               names, or that producer does not own the contract
- undecodable / unknown     -> parked at once: retrying cannot help
- ``PermanentError``        -> parked at once, with the reason
- any other exception       -> re-queued through ``Q.retry.<n>`` (delays from settings); after
                               the last retry, parked
- the process dies          -> not acked, the broker redelivers; past ``x-delivery-limit`` the
                               broker dead-letters it to the parking queue itself
A retry or park is published (with confirm) before the original is acked, so nothing is lost
between the two; if that publish fails the original is nacked back onto the queue. Forwarded
copies keep the headers they came with, the producer's signature included.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aio_pika.abc import (
    AbstractChannel,
    AbstractConnection,
    AbstractIncomingMessage,
    AbstractQueue,
)
from pydantic import ValidationError

from shared.logging import correlation_id_var
from shared.messaging.contracts import UnknownContract, contract_for
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.messaging.signatures import KEY_HEADER, SIGNATURE_HEADER, Refusal, Verifier
from shared.messaging.topology import named, parking_queue, retry_queue
from shared.metrics import MESSAGES_CONSUMED, MESSAGES_REDELIVERED, MESSAGES_REFUSED

log = logging.getLogger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]
RETRY_HEADER = "x-retry-count"


class PermanentError(Exception):
    """The message can never be processed as it is; park it for an operator."""


class Consumer:
    def __init__(
        self,
        connection: AbstractConnection,
        namespace: str,
        queue: str,
        handler: Handler,
        *,
        verifier: Verifier,
        prefetch: int,
        retry_delays_ms: list[int],
    ) -> None:
        self._connection = connection
        self._namespace = namespace
        self._queue_base = queue
        self.queue_name = named(namespace, queue)
        self._verifier = verifier
        self._handler = handler
        self._prefetch = prefetch
        self._retry_levels = len(retry_delays_ms)
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._publisher: Publisher | None = None
        self._consumer_tag: str | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()
        self.on_outcome: Callable[[str, str], None] = _count_outcome

    async def start(self) -> None:
        self._channel = await self._connection.channel()
        await self._channel.set_qos(prefetch_count=self._prefetch)
        self._publisher = await Publisher.open(self._connection, self._namespace)
        # A passive declare, not get_queue(ensure=False): only declared queues are registered
        # on the robust channel, and only those get their consumer back after the broker
        # restarts (found by the chaos run: workers stayed up but consumed nothing).
        self._queue = await self._channel.declare_queue(self.queue_name, passive=True)
        self._consumer_tag = await self._queue.consume(self._on_message, no_ack=False)

    async def stop(self, grace_s: float = 30) -> None:
        """Stop taking messages, let the ones in hand finish, then close (unfinished: requeued)."""
        if self._queue is not None and self._consumer_tag is not None:
            await self._queue.cancel(self._consumer_tag)
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=grace_s)
        if self._channel is not None:
            await self._channel.close()
        if self._publisher is not None:
            await self._publisher.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self._process(message)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _process(self, message: AbstractIncomingMessage) -> None:
        if message.redelivered:
            MESSAGES_REDELIVERED.labels(self.queue_name).inc()
        if (envelope := await self._admit(message)) is None:
            return
        token = correlation_id_var.set(envelope.correlation_id)
        extra = {"message_id": envelope.message_id, "message_type": envelope.type}
        try:
            await self._handler(envelope)
        except PermanentError as exc:
            log.error("message parked: %s", exc, extra=extra)
            await self._park(message, f"permanent: {exc}"[:1000])
        except Exception as exc:
            log.exception("handler failed", extra=extra)
            await self._retry_or_park(message, exc)
        else:
            await message.ack()
            self.on_outcome(self.queue_name, "ok")
        finally:
            correlation_id_var.reset(token)

    async def _admit(self, message: AbstractIncomingMessage) -> Envelope | None:
        """The message's envelope if it is authentic and decodes; else parked, and None.

        The signature is checked on the raw bytes before anything is parsed."""
        verdict = self._verifier.check(message.body, message.headers or {})
        if verdict.refusal is not None:
            await self._refuse(message, verdict.refusal, "no trusted key signed it")
            return None
        try:
            envelope = Envelope.from_bytes(message.body)
            envelope.open()  # validates the payload against its contract
        except (ValidationError, UnknownContract, ValueError) as exc:
            await self._park(message, f"undecodable: {exc}"[:1000])
            return None
        owner = contract_for(envelope.type, envelope.version).PRODUCER
        if envelope.producer != verdict.producer:
            await self._refuse(message, Refusal.WRONG_PRODUCER,
                               f"signed by {verdict.producer}, names {envelope.producer!r}")
        elif owner != verdict.producer:
            await self._refuse(message, Refusal.NOT_OWNER,
                               f"{envelope.type} is {owner}'s, sent by {verdict.producer}")
        else:
            return envelope
        return None

    async def _retry_or_park(self, message: AbstractIncomingMessage, exc: Exception) -> None:
        attempt = _retry_count(message)
        if attempt >= self._retry_levels:
            await self._park(message, f"retries exhausted: {exc!r}"[:1000])
            return
        await self._forward(message, retry_queue(self._queue_base, attempt), attempt + 1, None)
        self.on_outcome(self.queue_name, "retried")

    async def _park(self, message: AbstractIncomingMessage, reason: str) -> None:
        attempt = _retry_count(message)
        await self._forward(message, parking_queue(self._queue_base), attempt, reason)
        self.on_outcome(self.queue_name, "parked")

    async def _refuse(self, message: AbstractIncomingMessage, refusal: Refusal,
                      detail: str) -> None:
        # Never acted on, never retried: whoever sent it could not sign as its producer.
        log.error("message refused (%s): %s", refusal.value, detail,
                  extra={"message_id": message.message_id, "message_type": message.type})
        MESSAGES_REFUSED.labels(self.queue_name, refusal.value).inc()
        await self._park(message, f"not authentic: {refusal.value}: {detail}"[:1000])

    async def _forward(
        self, message: AbstractIncomingMessage, target: str, attempt: int, reason: str | None
    ) -> None:
        assert self._publisher is not None
        headers = forwarded_headers(message)
        headers.update({RETRY_HEADER: attempt, "x-original-queue": self.queue_name})
        if reason is not None:
            headers["x-parked-reason"] = reason
        try:
            await self._publisher.requeue(
                target, message.body, message_id=message.message_id,
                message_type=message.type, correlation_id=message.correlation_id,
                headers=headers,
            )
        except Exception:
            log.exception("could not forward message to %s; requeueing it", target)
            await message.nack(requeue=True)
            return
        await message.ack()


def _count_outcome(queue: str, outcome: str) -> None:
    MESSAGES_CONSUMED.labels(queue, outcome).inc()


def forwarded_headers(message: AbstractIncomingMessage) -> dict[str, str | int]:
    """The headers a forwarded copy keeps: the producer's signature (the broker's own
    ``x-death`` and our bookkeeping are written afresh)."""
    kept: dict[str, str | int] = {}
    for name in (KEY_HEADER, SIGNATURE_HEADER):
        value = (message.headers or {}).get(name)
        if isinstance(value, bytes):
            value = value.decode(errors="replace")
        if isinstance(value, str):
            kept[name] = value
    return kept


def _retry_count(message: AbstractIncomingMessage) -> int:
    value = (message.headers or {}).get(RETRY_HEADER, 0)
    return value if isinstance(value, int) else 0
