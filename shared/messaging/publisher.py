"""Publisher with confirms: persistent, mandatory messages; an unroutable one is an error."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from shared.messaging.envelope import Envelope
from shared.messaging.topology import named


class Publisher:
    """Publishes to the namespaced exchanges over one confirming channel.

    ``publish_raw`` returns only after the broker confirmed the message; a nack, a return
    (no queue bound: ``mandatory``) or a lost connection raises, so callers never mark a
    message sent that the broker did not take.
    """

    def __init__(self, channel: AbstractChannel, namespace: str) -> None:
        self._channel = channel
        self._namespace = namespace
        self._exchanges: dict[str, AbstractExchange] = {}

    @classmethod
    async def open(cls, connection: AbstractConnection, namespace: str) -> Publisher:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        return cls(channel, namespace)

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
        headers: dict[str, str | int] | None = None,
    ) -> None:
        target = (
            self._channel.default_exchange if exchange == "" else await self._exchange(exchange)
        )
        message = aio_pika.Message(
            body=body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=message_type,
            correlation_id=correlation_id,
            headers=dict(headers or {}),
        )
        await target.publish(message, routing_key=routing_key, mandatory=True, timeout=10)

    async def publish(self, envelope: Envelope) -> None:
        await self.publish_raw(
            exchange=envelope.exchange,
            routing_key=envelope.routing_key,
            body=envelope.to_bytes(),
            message_id=str(envelope.message_id),
            message_type=envelope.type,
            correlation_id=envelope.correlation_id,
        )

    async def send_to_queue(
        self, queue: str, body: bytes, *, message_id: str | None, message_type: str | None,
        correlation_id: str | None, headers: dict[str, str | int],
    ) -> None:
        """Publish straight to a (namespaced) queue through the default exchange."""
        message = aio_pika.Message(
            body=body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=message_type,
            correlation_id=correlation_id,
            headers=dict(headers),
        )
        await self._channel.default_exchange.publish(
            message, routing_key=queue, mandatory=True, timeout=10
        )

    async def close(self) -> None:
        await self._channel.close()
