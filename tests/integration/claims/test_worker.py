"""The worker against the real broker: the outbox relay publishes the approval's command to
``payouts.commands``; a ``payouts.payout_paid`` published to the broker makes the claim Paid.

The test runs in a namespace of its own (and removes it): the relay publishes every command in
this run's claims outbox, and those must not reach another service's tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from services.claims.bootstrap import run_claims_worker
from services.claims.settings import ClaimsSettings
from shared.messaging.contracts import PayoutPaidV1, RequestPayoutV1
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.messaging.topology import named
from tests.integration.api import ok
from tests.integration.workers import worker_running
from tests.signing import signer

from .conftest import Flow

DEADLINE_S = 10


@pytest.fixture
async def worker(claims_settings: ClaimsSettings) -> AsyncIterator[ClaimsSettings]:
    async with worker_running(claims_settings, "claims-worker", run_claims_worker) as settings:
        yield settings


async def _command_for(channel: AbstractChannel, queue_name: str, claim_id: str) -> Envelope:
    """Take the command correlated with ``claim_id`` off the queue (others are left unacked
    and return to the queue when the channel closes)."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        with contextlib.suppress(aio_pika.exceptions.ChannelNotFoundEntity):
            queue = await channel.get_queue(queue_name, ensure=True)
            message: AbstractIncomingMessage | None = await queue.get(no_ack=False, fail=False)
            if message is not None:
                envelope = Envelope.from_bytes(message.body)
                if envelope.correlation_id == claim_id:
                    await message.ack()
                    return envelope
                continue
        await asyncio.sleep(0.05)
    raise AssertionError(f"no command for claim {claim_id} reached {queue_name}")


async def test_command_out_and_paid_event_in_through_the_broker(
    flow: Flow, worker: ClaimsSettings
) -> None:
    claim_id = await flow.ready_claim()
    ok(await flow.approve(claim_id))

    connection = await aio_pika.connect(worker.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue_name = named(worker.mq_namespace, "payouts.commands")
        envelope = await _command_for(channel, queue_name, claim_id)
        assert envelope.producer == "claims" and envelope.type == "payouts.request_payout"
        command = envelope.open()
        assert isinstance(command, RequestPayoutV1)

        event = PayoutPaidV1(
            payout_id="po-broker", payout_key=command.payout_key, source=command.source,
            amount=command.amount, rail=command.rail, attempt_id="att-1",
        )
        publisher = await Publisher.open(connection, worker.mq_namespace, signer("payouts"))
        reply = Envelope.wrap(event, producer="payouts", correlation_id=claim_id,
                              causation_id=str(envelope.message_id))
        await publisher.publish(reply)
        await publisher.close()

    deadline = time.monotonic() + DEADLINE_S
    status = None
    while time.monotonic() < deadline and status != "paid":
        await asyncio.sleep(0.05)
        status = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))["status"]
    assert status == "paid"
