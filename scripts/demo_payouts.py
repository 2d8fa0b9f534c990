"""``make demo`` (payouts part): a Zelle payout to a service pro, paid the same day, and a check
returned to sender, then reissued and cashed, over the real processes.

The payout requests are published to the broker as claims publishes them
(``payouts.request_payout``); the provider sandbox's clock is moved forward over HTTP so the
check's days (mailed, delivered, returned, cashed) pass in seconds.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from decimal import Decimal
from typing import Any

import aio_pika
import httpx

from scripts.demo import Actors, DemoFailed, Say, Urls, expect
from shared.messaging.contracts import (
    MailingAddress,
    Payee,
    PayeeKind,
    PayoutSource,
    Rail,
    RequestPayoutV1,
)
from shared.messaging.envelope import Envelope
from shared.messaging.publisher import Publisher
from shared.settings import PlatformSettings


class PayoutsDemo:
    def __init__(self, http: httpx.AsyncClient, urls: Urls, say: Say,
                 settings: PlatformSettings) -> None:
        self.http, self.urls, self.say, self.settings = http, urls, say, settings
        self.actors = Actors(settings, "cust-demo-payouts")
        self.tag = uuid.uuid4().hex[:6]

    async def request(self, rail: Rail, payee: Payee, amount: str, kind: str) -> str:
        claim_id = f"demo-{self.tag}-{rail.value}"
        command = RequestPayoutV1(
            payout_key=f"claim:{claim_id}:{kind}",
            source=PayoutSource(claim_id=claim_id, kind=kind), amount=Decimal(amount),
            rail=rail, payee=payee, memo=f"Claim {claim_id}"[:40], requested_by="support-sam",
        )
        connection = await aio_pika.connect_robust(self.settings.amqp_url)
        async with connection:
            publisher = await Publisher.open(connection, self.settings.mq_namespace)
            await publisher.publish(Envelope.wrap(command, producer="claims",
                                                  correlation_id=claim_id))
        return command.payout_key

    async def payout(self, key: str) -> dict[str, Any] | None:
        items = expect(await self.http.get(f"{self.urls.payouts}/v1/payouts",
                                           params={"payout_key": key},
                                           headers=self.actors.payables), 200)["items"]
        if not items:
            return None
        found: dict[str, Any] = expect(await self.http.get(
            f"{self.urls.payouts}/v1/payouts/{items[0]['id']}", headers=self.actors.payables),
            200)
        return found

    async def wait(self, key: str, status: str, attempts: int = 1,
                   timeout_s: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            payout = await self.payout(key)
            if payout and payout["status"] == status and len(payout["attempts"]) == attempts:
                return payout
            if payout and payout["status"] in {"failed", "cancelled", "expired"}:
                raise DemoFailed(f"payout {key} ended {payout['status']}: "
                                 f"{payout['status_reason']}")
            await asyncio.sleep(0.25)
        raise DemoFailed(f"payout {key} did not become {status} within {timeout_s:.0f} s")

    async def advance(self, days: int) -> None:
        clock = expect(await self.http.post(f"{self.urls.sandbox}/sandbox/clock/advance",
                                            json={"days": days}), 200)
        self.say(f"   (sandbox clock moved {days} days ahead: {clock['now'][:10]})")

    async def ledger(self, attempt_ids: set[str]) -> list[dict[str, Any]]:
        payments = expect(await self.http.get(f"{self.urls.sandbox}/ledger"), 200)["payments"]
        return [p for p in payments if p["endToEndId"] in attempt_ids]

    async def zelle_to_a_service_pro(self) -> None:
        pro = Payee(kind=PayeeKind.SERVICE_PRO, name="Pat Pro (FixIt Pros)",
                    email=f"pat.{self.tag}@fixit-pros.net")
        key = await self.request(Rail.ZELLE, pro, "180.00", "byop_reimbursement")
        self.say(f"1. Zelle payout of 180.00 requested for service pro {pro.name}")
        payout = await self.wait(key, "paid")
        [attempt] = payout["attempts"]
        match = f"; {attempt['status_reason']}" if attempt["status_reason"] else ""
        self.say(f"2. paid by Zelle ({attempt['provider_reference']}) within the 24-hour "
                 f"promise (deadline {payout['deadline_at']}){match}")
        [entry] = await self.ledger({attempt["id"]})
        self.say(f"3. sandbox ledger: {entry['rail']} {entry['amount']} {entry['status']}")

    async def check_returned_then_reissued(self) -> None:
        payee = Payee(kind=PayeeKind.CUSTOMER, name=f"Jane Doe {self.tag}",
                      address=MailingAddress(line1="12 Elm St", city="Springfield",
                                             state="IL", zip="62701"))
        expect(await self.http.put(f"{self.urls.sandbox}/sandbox/payees", json={
            "identifier": payee.name, "check": "return_to_sender"}), 200)
        key = await self.request(Rail.CHECK, payee, "250.00", "claim_credit")
        self.say(f"4. check payout of 250.00 requested for {payee.name}")
        payout = await self.wait(key, "submitted")
        self.say(f"5. check issued: {payout['attempts'][0]['provider_reference']}")
        await self.advance(10)
        payout = await self.wait(key, "returned")
        self.say(f"6. returned: {payout['status_reason']}")

        expect(await self.http.put(f"{self.urls.sandbox}/sandbox/payees", json={
            "identifier": payee.name, "check": "cash"}), 200)
        new_address = {"line1": "9 Oak Ave", "city": "Peoria", "state": "IL", "zip": "61602"}
        expect(await self.http.post(
            f"{self.urls.payouts}/v1/payouts/{payout['id']}/reissue",
            headers=self.actors.payables,
            json={"reason": "payee moved; address confirmed by phone", "address": new_address}),
            200)
        await self.wait(key, "submitted", attempts=2)
        self.say("7. reissued to the corrected address (attempt 2, a new check number)")
        await self.advance(10)
        payout = await self.wait(key, "paid", attempts=2)
        entries = await self.ledger({a["id"] for a in payout["attempts"]})
        for entry in entries:
            self.say(f"8. sandbox ledger: check #{entry['checkNumber']} {entry['amount']} "
                     f"{entry['status']}")
        if [e["settled"] for e in entries] != [False, True]:
            raise DemoFailed(f"expected one returned and one cashed check, got {entries}")


async def run(urls: Urls, say: Say = print, settings: PlatformSettings | None = None) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        demo = PayoutsDemo(http, urls, say, settings or PlatformSettings())
        await demo.zelle_to_a_service_pro()
        await demo.check_returned_then_reissued()


def main() -> int:
    try:
        asyncio.run(run(Urls.from_env()))
    except (DemoFailed, httpx.HTTPError, aio_pika.exceptions.AMQPException, OSError) as exc:
        print(f"payouts demo failed: {exc}", file=sys.stderr)
        print("is the stack running? start it with `make run` in another terminal",
              file=sys.stderr)
        return 1
    print("done: a Zelle payout to a service pro, and a returned check reissued and cashed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
