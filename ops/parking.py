"""Parking queues: list them, inspect what is parked and why, replay messages to their queue.

Replay publishes a copy to the original queue with confirms and only then acks the parked
message, so a crash in between leaves a duplicate (which the consumer's inbox ignores), never a
loss. Replaying is for after the cause is fixed: a message that still fails is parked again.
The copy goes through the queue's requeue exchange with its producer's signature: an operator
can move messages, not vouch for them (a message parked as not authentic is parked again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection
from aiormq.exceptions import ChannelNotFoundEntity

from ops.output import Progress
from shared.messaging.consumer import RETRY_HEADER, forwarded_headers
from shared.messaging.publisher import Publisher
from shared.messaging.topology import QUEUES, named, parking_queue


@dataclass(frozen=True)
class ParkedQueue:
    queue: str
    parking: str
    parked: int | str


async def _count(connection: AbstractRobustConnection, queue: str) -> int | None:
    """Messages in ``queue``; None when it is not declared (no worker has started yet)."""
    channel = await connection.channel()
    try:
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0
    except ChannelNotFoundEntity:
        return None  # the broker closed this channel; the connection is fine
    finally:
        if not channel.is_closed:
            await channel.close()


async def list_parking(connection: AbstractRobustConnection, namespace: str) -> list[ParkedQueue]:
    found = []
    for spec in QUEUES.values():
        main = named(namespace, spec.name)
        count = await _count(connection, parking_queue(main))
        found.append(ParkedQueue(main, parking_queue(main),
                                 "not declared yet" if count is None else count))
    return found


def _describe(message: AbstractIncomingMessage) -> dict[str, Any]:
    headers = message.headers or {}
    try:
        envelope = json.loads(message.body)
    except ValueError:
        envelope = {}
    return {
        "message_id": message.message_id,
        "type": message.type or envelope.get("type"),
        "correlation_id": message.correlation_id or envelope.get("correlation_id"),
        "reason": str(headers.get("x-parked-reason") or _death_reason(headers)),
        "retries": headers.get(RETRY_HEADER, 0),
        "original_queue": str(headers.get("x-original-queue") or ""),
        "body": message.body.decode(errors="replace"),
    }


def _death_reason(headers: dict[str, Any]) -> str:
    # Dead-lettered by the broker (delivery limit), not by our consumer.
    deaths = headers.get("x-death") or []
    if deaths and isinstance(deaths, list):
        death = deaths[0]
        return f"broker dead-lettered: {death.get('reason')} from {death.get('queue')}"
    return "unknown"


async def _take(channel: AbstractChannel, queue_name: str, limit: int
                ) -> list[AbstractIncomingMessage]:
    queue = await channel.get_queue(queue_name, ensure=False)
    taken: list[AbstractIncomingMessage] = []
    while len(taken) < limit and (message := await queue.get(no_ack=False, fail=False)):
        taken.append(message)
    return taken


async def inspect_parked(connection: AbstractRobustConnection, namespace: str, queue: str,
                         limit: int) -> list[dict[str, Any]]:
    """Read up to ``limit`` parked messages without removing them."""
    channel = await connection.channel()
    try:
        await channel.set_qos(prefetch_count=0)
        taken = await _take(channel, parking_queue(named(namespace, queue)), limit)
        described = [_describe(m) for m in taken]
        for message in taken:
            await message.nack(requeue=True)
        return described
    finally:
        await channel.close()


async def replay_parked(connection: AbstractRobustConnection, namespace: str, queue: str, *,
                        limit: int, message_id: str | None = None) -> list[str]:
    """Move parked messages back to their queue (all, or just ``message_id``)."""
    main = named(namespace, queue)
    channel = await connection.channel()
    publisher = await Publisher.open(connection, namespace)
    replayed: list[str] = []
    try:
        parked = await _count(connection, parking_queue(main)) or 0
        progress = Progress(min(limit, parked), f"replaying {queue}")
        for message in await _take(channel, parking_queue(main), limit):
            if message_id is not None and message.message_id != message_id:
                await message.nack(requeue=True)
                continue
            await publisher.requeue(
                queue, message.body, message_id=message.message_id, message_type=message.type,
                correlation_id=message.correlation_id,
                headers={**forwarded_headers(message), RETRY_HEADER: 0},
            )
            await message.ack()
            replayed.append(message.message_id or "?")
            progress.advance()
        progress.close()
        return replayed
    finally:
        await publisher.close()
        await channel.close()


async def connect(url: str) -> AbstractRobustConnection:
    return await aio_pika.connect_robust(url, timeout=10)
