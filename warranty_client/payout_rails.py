"""The payouts flows, through claims as in production: a BYOP reimbursement paid to the
service pro by Zelle within the 24-hour promise, and a claim credit whose check is returned to
sender, which reopens the claim; the customer corrects the address, Support Services approves
again and the new check is cashed. Exactly one check is ever cashed.

The provider sandbox's clock is moved forward over HTTP so the check's days (mailed, delivered,
returned, cashed) pass in seconds.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal
from typing import Any

import httpx

from warranty_client.claims import DEDUCTIBLE, ByopFlow
from warranty_client.http import FlowFailed, Say, Urls, expect


class PayoutRailsFlow(ByopFlow):
    def __init__(self, http: httpx.AsyncClient, urls: Urls, say: Say) -> None:
        super().__init__(http, urls, say)
        self.holder = f"Jane Doe {uuid.uuid4().hex[:6]}"  # the sandbox keys check behaviour by name

    def _contract(self) -> dict[str, Any]:
        return {**super()._contract(), "holder_name": self.holder}

    async def payout_detail(self, payout_key: str) -> dict[str, Any]:
        [summary] = expect(await self.http.get(
            f"{self.urls.payouts}/v1/payouts", params={"payout_key": payout_key},
            headers=self.actors.payables), 200)["items"]
        return dict(expect(await self.http.get(
            f"{self.urls.payouts}/v1/payouts/{summary['id']}", headers=self.actors.payables),
            200))

    async def advance(self, days: int) -> None:
        clock = expect(await self.http.post(f"{self.urls.sandbox}/sandbox/clock/advance",
                                            json={"days": days}), 200)
        self.say(f"   (sandbox clock moved {days} days ahead: {clock['now'][:10]})")

    async def check_behaviour(self, behaviour: str) -> None:
        expect(await self.http.put(f"{self.urls.sandbox}/sandbox/payees", json={
            "identifier": self.holder, "check": behaviour}), 200)

    async def wait_claim(self, claim_id: str, wanted: set[str], timeout_s: float = 60
                         ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            claim = await self.claim(claim_id)
            if claim["status"] in wanted:
                return claim
            if time.monotonic() > deadline:
                raise FlowFailed(f"claim {claim_id} is {claim['status']}, not {wanted}")
            await asyncio.sleep(0.25)


async def zelle_to_a_service_pro(urls: Urls, say: Say) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        flow = PayoutRailsFlow(http, urls, say)
        claim = await flow.reimbursement_claim(estimate="300.00", authorized="280.00",
                                               invoice="280.00")
        await flow.zelle_to_the_pro(claim["id"])
        await flow.approve(claim["id"])
        claim = await flow.wait_claim(claim["id"], {"paid"})
        payout = await flow.payout_detail(claim["payouts"][-1]["payout_key"])
        [attempt] = payout["attempts"]
        say(f"4. paid to {flow.pro['name']} by Zelle ({attempt['provider_reference']}) the same "
            f"day, inside the 24-hour promise (deadline {payout['deadline_at']})")
        entries = await flow.ledger_where(lambda p: p["endToEndId"] == attempt["id"])
        if [(e["rail"], Decimal(e["amount"])) for e in entries] != [
                ("zelle", Decimal("280.00") - DEDUCTIBLE)]:
            raise FlowFailed(f"expected one Zelle payment of 180.00, got {entries}")
        say(f"5. sandbox ledger: zelle {entries[0]['amount']} {entries[0]['status']}")


async def check_returned_then_paid_again(urls: Urls, say: Say) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        flow = PayoutRailsFlow(http, urls, say)
        await flow.check_behaviour("return_to_sender")
        claim = await flow.open_claim("250.00")
        old = {"line1": "12 Elm St", "city": "Springfield", "state": "IL", "zip": "62701"}
        await flow.select(claim["id"], {"rail": "check", "accept_terms": True,
                                        "mailing_address": old}, flow.actors.customer)
        await flow.approve(claim["id"])
        await flow.wait_claim(claim["id"], {"transferred"})  # the check is out
        await flow.advance(10)
        claim = await flow.wait_claim(claim["id"], {"under_review"})
        say(f"7. the check came back: {claim['payouts'][-1]['failure_reason']}; the claim is "
            "Under Review again and its limit hold released")

        await flow.check_behaviour("cash")
        new = {"line1": "9 Oak Ave", "city": "Peoria", "state": "IL", "zip": "61602"}
        await flow.select(claim["id"], {"rail": "check", "accept_terms": True,
                                        "mailing_address": new}, flow.actors.customer)
        say("8. the customer corrected the mailing address: 9 Oak Ave, Peoria IL")
        await flow.approve(claim["id"])
        await flow.wait_claim(claim["id"], {"transferred"})  # the check is out
        await flow.advance(10)
        claim = await flow.wait_claim(claim["id"], {"paid"})
        entries = await flow.ledger_where(lambda p: p["payeeName"] == flow.holder)
        for entry in entries:
            say(f"9. sandbox ledger: check #{entry['checkNumber']} {entry['amount']} to "
                f"{entry['payeeAddress']['line1']}: {entry['status']}")
        if [e["settled"] for e in entries] != [False, True]:
            raise FlowFailed(f"expected one returned and one cashed check, got {entries}")
        say(f"10. claim {claim['status']}: one check cashed, "
            f"{len(claim['payouts'])} payouts on the claim")


async def run_payout_rails(urls: Urls, say: Say = print) -> None:
    say("== Zelle to a service pro within 24 hours")
    await zelle_to_a_service_pro(urls, say)
    say("== A check returned to sender, then paid again to the corrected address")
    await check_returned_then_paid_again(urls, say)
