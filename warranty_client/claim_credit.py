"""Seed 000: a Claim Credit from contract to a JP Morgan Concourse payment, step by step.

An agent records the contract, the customer requests service, the agent posts options, the
customer accepts the Claim Credit and selects Concourse, Support Services approves; then the
flow waits for the claim to be Paid and checks the payout and the sandbox ledger entry.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from shared.settings import PlatformSettings
from warranty_client.actors import Actors
from warranty_client.http import FlowFailed, Say, Urls, expect


@dataclass
class ClaimCreditResult:
    customer_email: str
    amount: Decimal
    claim: dict[str, Any]
    payout: dict[str, Any]
    ledger_entries: list[dict[str, Any]]


class ClaimCreditFlow:
    """The steps of seed 000 as the platform's users take them, over HTTP."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        urls: Urls,
        say: Say = print,
        *,
        settings: PlatformSettings | None = None,
        email: str | None = None,
    ) -> None:
        self.http = http
        self.urls = urls
        self.say = say
        customer_id = f"cust-{uuid.uuid4().hex[:8]}"
        self.email = email or f"jane.doe+{customer_id}@mail.cinch-demo.net"
        self.actors = Actors(settings or PlatformSettings(), customer_id)

    async def open_claim(self, amount: str) -> dict[str, Any]:
        """Contract -> service request -> options -> the customer accepts the Claim Credit."""
        http, urls, actors, say = self.http, self.urls, self.actors, self.say
        contract = expect(await http.post(f"{urls.claims}/v1/contracts", headers=actors.agent,
                                          json=self._contract()), 201)
        say(f"1. agent recorded contract {contract['id']} for {actors.customer_id} "
            "(Active, Cinch)")

        request = expect(await http.post(
            f"{urls.claims}/v1/service-requests", headers=actors.customer,
            json={"contract_id": contract["id"], "channel": "portal",
                  "items": [{"covered_item_id": contract["covered_items"][0]["id"],
                             "problem": "Microwave does not heat"}]}), 201)
        order = request["orders"][0]
        say(f"2. customer requested service {request['id']}: service order {order['id']}")

        order = expect(await http.post(
            f"{urls.claims}/v1/service-orders/{order['id']}/options", headers=actors.agent,
            json={"options": [{"kind": "replacement"},
                              {"kind": "claim_credit", "amount": amount}]}), 201)
        say("3. agent posted options: " + ", ".join(
            o["kind"] + (f" {o['amount']}" if o.get("amount") else "") for o in order["options"]))

        credit = next(o for o in order["options"] if o["kind"] == "claim_credit")
        accepted = expect(await http.post(
            f"{urls.claims}/v1/service-orders/{order['id']}/options/{credit['id']}/accept",
            headers=actors.customer), 200)
        claim: dict[str, Any] = accepted["claim"]
        review = claim["review"]
        say(f"4. customer accepted the Claim Credit: claim {claim['id']} is {claim['status']}; "
            f"exception {review['type']} ({review['comment_code']}) is {review['status']}")
        return claim

    def _contract(self) -> dict[str, Any]:
        return {
            "customer_id": self.actors.customer_id, "brand": "cinch", "holder_name": "Jane Doe",
            "email": self.email, "mobile": "+15125550123",
            "mailing_address": {"line1": "12 Elm St", "city": "Austin", "state": "TX",
                                "zip": "78701"},
            "limits": {"service_fee": "100.00", "per_claim_cap": "1000.00",
                       "annual_aggregate": "10000.00"},
            "covered_items": [{"kind": "microwave", "description": "Over-the-range microwave",
                               "model": "WMH31017HS", "serial": "SN-0042"}],
        }

    async def select_concourse(
        self, claim_id: str, *, email: str | None = None, accept_terms: bool = True
    ) -> httpx.Response:
        return await self.http.post(
            f"{self.urls.claims}/v1/claims/{claim_id}/payment-option",
            headers=self.actors.customer,
            json={"rail": "concourse", "email": email or self.email,
                  "accept_terms": accept_terms})

    async def approve(self, claim_id: str) -> dict[str, Any]:
        approved: dict[str, Any] = expect(await self.http.post(
            f"{self.urls.claims}/v1/claims/{claim_id}/approve",
            headers={**self.actors.support, "Idempotency-Key": uuid.uuid4().hex}, json={}), 200)
        self.say(f"6. support services approved: claim is {approved['status']}; "
                 "payouts.request_payout is in the outbox")
        return approved

    async def claim(self, claim_id: str) -> dict[str, Any]:
        return dict(expect(await self.http.get(
            f"{self.urls.claims}/v1/claims/{claim_id}", headers=self.actors.support), 200))

    async def wait_for_claim(self, claim_id: str, status: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            claim = await self.claim(claim_id)
            if claim["status"] == status:
                return claim
            if time.monotonic() > deadline:
                raise FlowFailed(f"claim {claim_id} still {claim['status']} after "
                                 f"{timeout_s:.0f} s (waited for {status})")
            await asyncio.sleep(0.25)

    async def payouts(self, payout_key: str) -> list[dict[str, Any]]:
        body = expect(await self.http.get(
            f"{self.urls.payouts}/v1/payouts", headers=self.actors.payables,
            params={"payout_key": payout_key}), 200)
        return list(body["items"])

    async def ledger_entries(self, email: str | None = None) -> list[dict[str, Any]]:
        ledger = expect(await self.http.get(f"{self.urls.sandbox}/ledger"), 200)["payments"]
        wanted = (email or self.email).lower()
        return [p for p in ledger if p["payeeEmail"].lower() == wanted]


async def claim_credit_flow(
    urls: Urls,
    say: Say = print,
    *,
    amount: str = "250.00",
    settings: PlatformSettings | None = None,
    paid_timeout_s: float = 60,
) -> ClaimCreditResult:
    """The whole of seed 000; raises FlowFailed unless exactly one payment reached the payee."""
    async with httpx.AsyncClient(timeout=15) as http:
        flow = ClaimCreditFlow(http, urls, say, settings=settings)
        claim = await flow.open_claim(amount)
        expect(await flow.select_concourse(claim["id"]), 200)
        say(f"5. customer selected JP Morgan Concourse to {flow.email} and accepted the terms")
        await flow.approve(claim["id"])

        claim = await flow.wait_for_claim(claim["id"], "paid", paid_timeout_s)
        # The claim shows its review exception only while it is open.
        review = "complete" if claim["review"] is None else claim["review"]["status"]
        say(f"7. claim {claim['id']} is {claim['status']}; the SS-Claim Credit Review "
            f"exception is {review}")

        payout_key = claim["payouts"][-1]["payout_key"]
        payouts = await flow.payouts(payout_key)
        if len(payouts) != 1:
            raise FlowFailed(f"expected one payout for {payout_key}, got {len(payouts)}")
        payout = payouts[0]
        say(f"8. payout {payout['id']} is {payout['status']} on {payout['rail']}")

        mine = await flow.ledger_entries()
        for entry in mine:
            say(f"9. sandbox ledger: {entry['rail']} {entry['endToEndId']} {entry['amount']} "
                f"{entry['currency']} to {entry['payeeEmail']} - {entry['status']}")
        if len(mine) != 1 or Decimal(mine[0]["amount"]) != Decimal(amount):
            raise FlowFailed(f"expected exactly one payment of {amount} to {flow.email}, "
                             f"got {mine}")
        return ClaimCreditResult(flow.email, Decimal(amount), claim, payout, mine)
