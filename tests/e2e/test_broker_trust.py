"""Who may move money through the broker, tried as an attacker would on the running stack.

The broker itself refuses what an account may not do (``guest`` has no access to the platform's
virtual host; one service's account cannot publish another's contracts, nor use the default
exchange); a message that does get in but was not signed by its contract's owner is parked by
the consumer and counted, and moves nothing: no payout, no claim reopened or marked paid.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from aiormq.exceptions import AMQPError, ChannelAccessRefused

from harness.servers import PrivateRabbit
from shared.messaging.contracts import PayoutPaidV1, PayoutReturnedV1, PayoutSource, Rail
from shared.messaging.envelope import Envelope
from shared.messaging.signatures import KEY_HEADER, SIGNATURE_HEADER
from shared.messaging.topology import named, parking_queue
from tests.e2e.stack import VHOST, Stack
from tests.e2e.test_payout_faults import request_payout
from tests.signing import signer
from warranty_client.claim_credit import ClaimCreditFlow, claim_credit_flow
from warranty_client.http import Urls


async def _publish_as(url: str, exchange: str, routing_key: str, body: bytes,
                      headers: dict[str, str]) -> None:
    """Publish with ``url``'s account and wait for the broker's confirm."""
    connection = await aio_pika.connect(url, timeout=10)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = (channel.default_exchange if exchange == ""
                  else await channel.get_exchange(exchange, ensure=False))
        await target.publish(aio_pika.Message(
            body, headers=dict(headers), delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=routing_key)


async def _parked(broker: AbstractRobustConnection, stack: Stack, queue: str) -> int:
    channel = await broker.channel()
    try:
        declared = await channel.declare_queue(
            parking_queue(named(stack.env["MQ_NAMESPACE"], queue)), passive=True)
        return declared.declaration_result.message_count or 0
    finally:
        await channel.close()


def _refused(stack: Stack, worker: str, reason: str) -> float:
    text = httpx.get(f"{stack.url(worker)}/metrics", timeout=5).text
    found = re.findall(rf'^messages_refused_total\{{[^}}]*reason="{reason}"[^}}]*\}} (\S+)$',
                       text, flags=re.MULTILINE)
    return sum(float(value) for value in found)


async def _until(probe: Callable[[], Awaitable[bool]], timeout_s: float = 20) -> None:
    for _ in range(int(timeout_s / 0.2)):
        if await probe():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s} s")


def _forgeries(body: bytes) -> dict[str, dict[str, str]]:
    """Every way to sign ``body`` (a payouts event) other than with the payouts key."""
    claims_signed = signer("claims").headers(body)
    return {
        "unsigned": {},
        "wrong_producer": claims_signed,  # another service's valid signature
        "bad_signature": {KEY_HEADER: "payouts:dev",
                          SIGNATURE_HEADER: claims_signed[SIGNATURE_HEADER]},
        "unknown_key": {KEY_HEADER: "payouts:stolen",
                        SIGNATURE_HEADER: claims_signed[SIGNATURE_HEADER]},
    }


async def test_guest_is_refused_on_the_platforms_virtual_host(rabbit: PrivateRabbit,
                                                              stack: Stack) -> None:
    with pytest.raises((AMQPError, ConnectionError)):
        connection = await aio_pika.connect(rabbit.amqp_url("guest", "guest", VHOST), timeout=10)
        await connection.close()


async def test_billings_account_cannot_publish_a_payout_request(stack: Stack,
                                                                flow: ClaimCreditFlow) -> None:
    command = request_payout(flow.email, amount="9999.00")
    body = Envelope.wrap(command, producer="claims").to_bytes()
    payouts_exchange = named(stack.env["MQ_NAMESPACE"], "payouts")

    with pytest.raises(ChannelAccessRefused):  # topic permission: not billing's routing key
        await _publish_as(stack.env["BILLING_AMQP_URL"], payouts_exchange,
                          "payouts.payout.request", body, signer("claims").headers(body))
    with pytest.raises(ChannelAccessRefused):  # no account may write to the default exchange
        await _publish_as(stack.env["CLAIMS_AMQP_URL"], "",
                          named(stack.env["MQ_NAMESPACE"], "payouts.commands"), body,
                          signer("claims").headers(body))

    await asyncio.sleep(1)
    assert await flow.payouts(command.payout_key) == []


async def test_a_payout_request_not_signed_by_claims_is_parked_and_not_paid(
    stack: Stack, broker: AbstractRobustConnection, flow: ClaimCreditFlow
) -> None:
    """With claims' own broker account (stolen credentials), but not claims' key."""
    parked_before = await _parked(broker, stack, "payouts.commands")
    refused_before = {r: _refused(stack, "payouts-worker", r)
                      for r in ("unsigned", "wrong_producer", "bad_signature")}
    keys = []
    for reason in refused_before:
        command = request_payout(flow.email, amount="9999.00")
        keys.append(command.payout_key)
        body = Envelope.wrap(command, producer="claims").to_bytes()
        headers = {"unsigned": {},
                   "wrong_producer": signer("billing").headers(body),
                   "bad_signature": {**signer("claims").headers(body + b" "),
                                     KEY_HEADER: "claims:dev"}}[reason]
        await _publish_as(stack.env["CLAIMS_AMQP_URL"], named(stack.env["MQ_NAMESPACE"],
                          "payouts"), "payouts.payout.request", body, headers)

    async def all_parked() -> bool:
        return await _parked(broker, stack, "payouts.commands") >= parked_before + 3

    await _until(all_parked)
    for reason, before in refused_before.items():
        assert _refused(stack, "payouts-worker", reason) == before + 1, reason
    for key in keys:
        assert await flow.payouts(key) == []
    assert await flow.ledger_entries() == []


async def test_forged_payout_events_neither_reopen_nor_pay_a_claim(
    stack: Stack, broker: AbstractRobustConnection, urls: Urls, flow: ClaimCreditFlow
) -> None:
    """With payouts' own broker account, but not payouts' key: a forged "returned" would reopen
    a paid claim (and a re-approval pay it twice); a forged "paid" would close one unpaid."""
    result = await claim_credit_flow(urls, lambda _: None, amount="120.00")
    paid_claim, payout = result.claim, result.payout
    pending_claim = await flow.open_claim("80.00")
    source = PayoutSource(claim_id=paid_claim["id"], kind="claim_credit")
    returned = PayoutReturnedV1(payout_id=payout["id"], payout_key=payout["payout_key"],
                                source=source, amount=Decimal("120.00"), rail=Rail.CONCOURSE,
                                reason="R01 insufficient funds")
    forged_paid = PayoutPaidV1(
        payout_id=str(uuid.uuid4()), payout_key=f"claim:{pending_claim['id']}:claim_credit",
        source=PayoutSource(claim_id=pending_claim["id"], kind="claim_credit"),
        amount=Decimal("80.00"), rail=Rail.CONCOURSE, attempt_id=str(uuid.uuid4()))
    exchange = named(stack.env["MQ_NAMESPACE"], "payouts")
    parked_before = await _parked(broker, stack, "claims.payout-events")

    sent = 0
    for event in (returned, forged_paid):
        body = Envelope.wrap(event, producer="payouts").to_bytes()
        for headers in _forgeries(body).values():
            await _publish_as(stack.env["PAYOUTS_AMQP_URL"], exchange, event.ROUTING_KEY, body,
                              headers)
            sent += 1

    async def all_parked() -> bool:
        return await _parked(broker, stack, "claims.payout-events") >= parked_before + sent

    await _until(all_parked)
    assert (await flow.claim(paid_claim["id"]))["status"] == "paid"
    assert (await flow.claim(pending_claim["id"]))["status"] == pending_claim["status"]
    for reason in _forgeries(b""):
        assert _refused(stack, "claims-worker", reason) >= 2, reason
    assert len(await flow.ledger_entries(result.customer_email)) == 1
