"""RabbitMQ topology: one description (``plan``), applied by an administrator, never by a service.

Per consumer queue ``Q`` (quorum, durable), owned by the service its name starts with:
- ``Q.retry.<i>``: classic queues whose TTL is the i-th retry delay; expired messages dead-letter
  back to ``Q`` (RabbitMQ 3.10 has no broker-side delayed retry).
- ``Q.parking``: where a message goes when it cannot be processed: undecodable, not authentic,
  a permanent error, retries exhausted, or redelivered past ``x-delivery-limit`` (a handler that
  crashes the process every time). Parked messages wait for an operator.
- ``<owner>.requeue``: a direct exchange routing to the owner's own queues by their name. A
  consumer forwards a message to its retry or parking queue through it, and an operator replays
  a parked message through it: nobody needs the default exchange, through which a user could
  write into any queue of the virtual host.

Contracts are published to the exchange of the service that owns the contract (first part of
its type), so a binding names one exchange whoever sends the message.

The plan is applied by ``declare_topology`` over AMQP (tests, with an administrator's
connection) or rendered into the broker's definitions (``shared/messaging/access.py``: what
``warranty-ops broker provision`` imports). The services' own users may configure nothing; a
worker only checks that its queues exist.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import stamina
from aio_pika.abc import AbstractChannel, ExchangeType
from aiormq.exceptions import AMQPConnectionError, ChannelNotFoundEntity

from shared.messaging.contracts import (
    Contract,
    PayoutCancelledV1,
    PayoutDecidedV1,
    PayoutFailedV1,
    PayoutPaidV1,
    PayoutReturnedV1,
    PayoutSlaBreachedV1,
    PayoutSubmittedV1,
    RequestPayoutV1,
    ServiceJobCancelledV1,
    ServiceJobDispatchedV1,
    all_contracts,
)

SERVICES = ("claims", "payouts", "billing")
EXCHANGES = SERVICES


@dataclass(frozen=True)
class QueueSpec:
    name: str
    contracts: tuple[type[Contract], ...]

    @property
    def consumer(self) -> str:
        """The service that consumes (and alone may read) this queue."""
        return owner(self.name)


QUEUES: dict[str, QueueSpec] = {
    spec.name: spec
    for spec in (
        QueueSpec("payouts.commands", (RequestPayoutV1,)),
        QueueSpec(
            "claims.payout-events",
            (PayoutSubmittedV1, PayoutPaidV1, PayoutFailedV1, PayoutReturnedV1,
             PayoutCancelledV1, PayoutSlaBreachedV1, PayoutDecidedV1),
        ),
        QueueSpec("billing.claims-events", (ServiceJobDispatchedV1, ServiceJobCancelledV1)),
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


def owner(name: str) -> str:
    """The service a queue or exchange name belongs to (its first dotted part)."""
    return name.split(".", 1)[0]


def retry_queue(queue: str, level: int) -> str:
    return f"{queue}.retry.{level}"


def parking_queue(queue: str) -> str:
    return f"{queue}.parking"


def requeue_exchange(service: str) -> str:
    return f"{service}.requeue"


@dataclass(frozen=True)
class ExchangeDecl:
    name: str
    type: str  # "topic" | "direct"


@dataclass(frozen=True)
class QueueDecl:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BindingDecl:
    exchange: str
    queue: str
    routing_key: str


@dataclass(frozen=True)
class Plan:
    exchanges: tuple[ExchangeDecl, ...]
    queues: tuple[QueueDecl, ...]
    bindings: tuple[BindingDecl, ...]


def plan(namespace: str, *, retry_delays_ms: list[int], delivery_limit: int) -> Plan:
    """Every exchange, queue and binding of the platform, with their namespaced names."""
    exchanges = [ExchangeDecl(named(namespace, e), "topic") for e in EXCHANGES]
    exchanges += [ExchangeDecl(named(namespace, requeue_exchange(s)), "direct")
                  for s in SERVICES]
    queues: list[QueueDecl] = []
    bindings: list[BindingDecl] = []
    for spec in QUEUES.values():
        q, b = _consumer_queue(namespace, spec, retry_delays_ms, delivery_limit)
        queues += q
        bindings += b
    audit = named(namespace, AUDIT_QUEUE)
    queues.append(QueueDecl(audit, {"x-message-ttl": AUDIT_TTL_MS,
                                    "x-max-length": AUDIT_MAX_LENGTH,
                                    "x-overflow": "drop-head"}))
    bindings += [BindingDecl(named(namespace, c.exchange()), audit, c.ROUTING_KEY)
                 for c in all_contracts()]
    return Plan(tuple(exchanges), tuple(queues), tuple(bindings))


def _consumer_queue(namespace: str, spec: QueueSpec, retry_delays_ms: list[int],
                    delivery_limit: int) -> tuple[list[QueueDecl], list[BindingDecl]]:
    main = named(namespace, spec.name)
    parking = parking_queue(main)
    requeue = named(namespace, requeue_exchange(spec.consumer))
    queues = [
        QueueDecl(parking, {"x-queue-type": "quorum"}),
        QueueDecl(main, {
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": parking,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }),
    ]
    # Dead-lettering (retry TTLs, the delivery limit) is the broker's own doing: it goes through
    # the default exchange without any user's permission.
    queues += [QueueDecl(retry_queue(main, level), {"x-message-ttl": delay,
                                                    "x-dead-letter-exchange": "",
                                                    "x-dead-letter-routing-key": main})
               for level, delay in enumerate(retry_delays_ms)]
    bindings = [BindingDecl(named(namespace, c.exchange()), main, c.ROUTING_KEY)
                for c in spec.contracts]
    bindings += [BindingDecl(requeue, queue.name, queue.name) for queue in queues]
    return queues, bindings


async def declare_topology(
    channel: AbstractChannel,
    namespace: str,
    *,
    retry_delays_ms: list[int],
    delivery_limit: int,
) -> None:
    """Apply the plan over AMQP (idempotent); needs a user who may configure everything."""
    layout = plan(namespace, retry_delays_ms=retry_delays_ms, delivery_limit=delivery_limit)
    declared = {}
    for exchange in layout.exchanges:
        declared[exchange.name] = await channel.declare_exchange(
            exchange.name, ExchangeType(exchange.type), durable=True)
    queues = {}
    for queue in layout.queues:
        queues[queue.name] = await channel.declare_queue(
            queue.name, durable=True, arguments=queue.arguments)
    for binding in layout.bindings:
        await queues[binding.queue].bind(declared[binding.exchange],
                                         routing_key=binding.routing_key)


class TopologyMissing(RuntimeError):
    """The broker lacks part of the platform's topology: it was not provisioned."""


async def check_topology(connection: aio_pika.abc.AbstractConnection, namespace: str, *,
                         retry_delays_ms: list[int], delivery_limit: int) -> None:
    """Raise ``TopologyMissing`` naming the first exchange or queue of the plan that is absent.

    Passive declarations: they need no permission, and they change nothing."""
    layout = plan(namespace, retry_delays_ms=retry_delays_ms, delivery_limit=delivery_limit)
    # One channel: the first missing name closes it, and that ends the check anyway.
    channel = await connection.channel()
    try:
        for exchange in layout.exchanges:
            await _exists(channel.declare_exchange(exchange.name, passive=True),
                          "exchange", exchange.name)
        for queue in layout.queues:
            await _exists(channel.declare_queue(queue.name, passive=True), "queue", queue.name)
    finally:
        if not channel.is_closed:
            await channel.close()


async def _exists(declaration: Awaitable[object], kind: str, name: str) -> None:
    try:
        await declaration
    except ChannelNotFoundEntity:
        raise TopologyMissing(
            f"the broker has no {kind} {name!r}: provision it first "
            "(warranty-ops broker provision; see docs/runbook.md)") from None


# A robust connection reconnects once it has connected, but its first connect fails at once: a
# worker started while the broker restarts (a deploy, a crash-restart) would exit. It keeps
# trying for a minute instead, with backoff (stamina: exponential, jittered, capped at 5 s).
@stamina.retry(on=(AMQPConnectionError, ConnectionError, TimeoutError), attempts=None,
               timeout=60, wait_initial=0.2, wait_max=5)
async def connect(url: str) -> aio_pika.abc.AbstractRobustConnection:
    # A robust connection reconnects and restores channels after a broker restart.
    return await aio_pika.connect_robust(url, timeout=10)


async def delete_topology(channel: AbstractChannel, namespace: str, *, retry_levels: int) -> None:
    """Remove a namespace's queues and exchanges (test runs clean up after themselves)."""
    layout = plan(namespace, retry_delays_ms=[0] * retry_levels, delivery_limit=1)
    for queue in layout.queues:
        await channel.queue_delete(queue.name)
    for exchange in layout.exchanges:
        await channel.exchange_delete(exchange.name)
