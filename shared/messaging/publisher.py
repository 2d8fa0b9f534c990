"""Publisher with confirms: persistent, mandatory messages; an unroutable one is an error."""

from __future__ import annotations

from collections.abc import Mapping

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from shared.messaging.envelope import Envelope
from shared.messaging.signatures import Signer
from shared.messaging.topology import named, owner, requeue_exchange

Headers = Mapping[str, str | int]


class Publisher:
    """Publishes to the namespaced exchanges over one confirming channel.

    ``publish_raw`` returns only after the broker confirmed the message; a nack, a return
    (no queue bound: ``mandatory``) or a lost connection raises, so callers never mark a
    message sent that the broker did not take. With a ``signer`` every message it publishes
    carries its signature; ``requeue`` forwards a message received from elsewhere with the
    headers it came with (its producer's signature), never signing it as its own.
    """

    def __init__(self, channel: AbstractChannel, namespace: str,
                 signer: Signer | None = None) -> None:
        self._channel = channel
        self._namespace = namespace
        self._signer = signer
        self._exchanges: dict[str, AbstractExchange] = {}

    @classmethod
    async def open(cls, connection: AbstractConnection, namespace: str,
                   signer: Signer | None = None) -> Publisher:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        return cls(channel, namespace, signer)

    async def _exchange(self, name: str) -> AbstractExchange:
        if name not in self._exchanges:
            self._exchanges[name] = await self._channel.get_exchange(
                named(self._namespace, name), ensure=False
            )
        return self._exchanges[name]

    async def publish_raw(
        self,
        *,
        exchange: str,
        routing_key: str,
        body: bytes,
        message_id: str,
        message_type: str,
        correlation_id: str,
        headers: Headers | None = None,
    ) -> None:
        signed = dict(headers or {})
        if self._signer is not None:
            signed.update(self._signer.headers(body))
        await self._send(await self._exchange(exchange), routing_key, body, message_id=message_id,
                         message_type=message_type, correlation_id=correlation_id,
                         headers=signed)

    async def publish(self, envelope: Envelope) -> None:
        await self.publish_raw(
            exchange=envelope.exchange,
            routing_key=envelope.routing_key,
            body=envelope.to_bytes(),
            message_id=str(envelope.message_id),
            message_type=envelope.type,
            correlation_id=envelope.correlation_id,
        )

    async def requeue(
        self, queue: str, body: bytes, *, message_id: str | None, message_type: str | None,
        correlation_id: str | None, headers: Headers,
    ) -> None:
        """Publish to ``queue`` (a platform queue's name, not namespaced) through its owner's
        requeue exchange (``shared/messaging/topology.py``)."""
        exchange = await self._exchange(requeue_exchange(owner(queue)))
        await self._send(exchange, named(self._namespace, queue), body, message_id=message_id,
                         message_type=message_type, correlation_id=correlation_id,
                         headers=headers)

    @staticmethod
    async def _send(
        exchange: AbstractExchange, routing_key: str, body: bytes, *, message_id: str | None,
        message_type: str | None, correlation_id: str | None, headers: Headers,
    ) -> None:
        message = aio_pika.Message(
            body=body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=message_type,
            correlation_id=correlation_id,
            headers=dict(headers),
        )
        await exchange.publish(message, routing_key=routing_key, mandatory=True, timeout=10)

    async def close(self) -> None:
        await self._channel.close()
