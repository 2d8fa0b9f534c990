"""RabbitMQ topology, declared the same way by every process (declaring is idempotent).

Per consumer queue ``Q`` (quorum, durable):
- ``Q.retry.<i>``: classic queues whose TTL is the i-th retry delay; expired messages dead-letter
  back to ``Q`` (RabbitMQ 3.10 has no broker-side delayed retry).
- ``Q.parking``: where a message goes when it cannot be processed: undecodable, a permanent
  error, retries exhausted, or redelivered past ``x-delivery-limit`` (a handler that crashes
  the process every time). Parked messages wait for an operator.

Contracts are published to the exchange of the service that owns the contract (first part of
its type), so a binding names one exchange whoever sends the message.
"""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, ExchangeType

from shared.messaging.contracts import (
    Contract,
    PayoutCancelledV1,
    PayoutFailedV1,
    PayoutPaidV1,
    PayoutReturnedV1,
    PayoutSlaBreachedV1,
    PayoutSubmittedV1,
    RequestPayoutV1,
    ServiceJobDispatchedV1,
    all_contracts,
)

EXCHANGES = ("claims", "payouts", "billing")


@dataclass(frozen=True)
class QueueSpec:
    name: str
    contracts: tuple[type[Contract], ...]


QUEUES: dict[str, QueueSpec] = {
    spec.name: spec
    for spec in (
        QueueSpec("payouts.commands", (RequestPayoutV1,)),
        QueueSpec(
            "claims.payout-events",
            (PayoutSubmittedV1, PayoutPaidV1, PayoutFailedV1, PayoutReturnedV1,
             PayoutCancelledV1, PayoutSlaBreachedV1),
        ),
        QueueSpec("billing.claims-events", (ServiceJobDispatchedV1,)),
    )
}

# Every contract's messages are also copied here, for a week: the trail operators read ("what
# happened to claim X?") and the reason an event nobody consumes yet is still routable. Only
# registered routing keys are bound, so a message nobody declared stays unroutable: publishes
# are mandatory, and an unroutable message is an error, not a silent loss.
AUDIT_QUEUE = "platform.audit"
AUDIT_TTL_MS = 7 * 24 * 3600 * 1000
AUDIT_MAX_LENGTH = 1_000_000


def named(namespace: str, name: str) -> str:
    return f"{namespace}{name}"


def retry_queue(queue: str, level: int) -> str:
    return f"{queue}.retry.{level}"


def parking_queue(queue: str) -> str:
    return f"{queue}.parking"


async def declare_topology(
    channel: AbstractChannel,
    namespace: str,
    *,
    retry_delays_ms: list[int],
    delivery_limit: int,
) -> None:
    for exchange in EXCHANGES:
        await channel.declare_exchange(
            named(namespace, exchange), ExchangeType.TOPIC, durable=True
        )
    for spec in QUEUES.values():
        await _declare_consumer_queue(
            channel, namespace, spec, retry_delays_ms=retry_delays_ms,
            delivery_limit=delivery_limit,
        )
    audit = await channel.declare_queue(
        named(namespace, AUDIT_QUEUE),
        durable=True,
        arguments={"x-message-ttl": AUDIT_TTL_MS, "x-max-length": AUDIT_MAX_LENGTH,
                   "x-overflow": "drop-head"},
    )
    for contract in all_contracts():
        await audit.bind(named(namespace, contract.exchange()), routing_key=contract.ROUTING_KEY)


async def _declare_consumer_queue(
    channel: AbstractChannel,
    namespace: str,
    spec: QueueSpec,
    *,
    retry_delays_ms: list[int],
    delivery_limit: int,
) -> None:
    main = named(namespace, spec.name)
    parking = parking_queue(main)
    await channel.declare_queue(parking, durable=True, arguments={"x-queue-type": "quorum"})
    queue = await channel.declare_queue(
        main,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": parking,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )
    for level, delay in enumerate(retry_delays_ms):
        await channel.declare_queue(
            retry_queue(main, level),
            durable=True,
            arguments={
                "x-message-ttl": delay,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": main,
            },
        )
    for contract in spec.contracts:
        exchange = await channel.get_exchange(named(namespace, contract.exchange()))
        await queue.bind(exchange, routing_key=contract.ROUTING_KEY)


async def connect(url: str) -> aio_pika.abc.AbstractRobustConnection:
    # A robust connection reconnects and restores channels after a broker restart.
    return await aio_pika.connect_robust(url, timeout=10)


async def delete_topology(channel: AbstractChannel, namespace: str, *, retry_levels: int) -> None:
    """Remove a namespace's queues and exchanges (test runs clean up after themselves)."""
    for spec in QUEUES.values():
        main = named(namespace, spec.name)
        for name in [main, parking_queue(main)] + [
            retry_queue(main, level) for level in range(retry_levels)
        ]:
            await channel.queue_delete(name)
    await channel.queue_delete(named(namespace, AUDIT_QUEUE))
    for exchange in EXCHANGES:
        await channel.exchange_delete(named(namespace, exchange))
