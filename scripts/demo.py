#!/usr/bin/env python3
"""``make demo``: a claim credit from contract to Concourse payment, over HTTP, step by step.

Drives the running stack (``make run``) as its users would: an agent records the contract, the
customer requests service, the agent posts options, the customer accepts the Claim Credit and
selects JP Morgan Concourse, Support Services approves; then it waits for the claim to be Paid
and prints the payout and the sandbox ledger entry. Exits 0 only if exactly one payment of the
credit amount reached the customer's email.

URLs come from CLAIMS_URL, PAYOUTS_URL, BILLING_URL, SANDBOX_URL (defaults: localhost 8001,
8002, 8003, 8009).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from shared.auth import Role, mint_token
from shared.settings import PlatformSettings

Say = Callable[[str], None]


class DemoFailed(Exception):
    pass


@dataclass(frozen=True)
class Urls:
    claims: str
    payouts: str
    sandbox: str
    billing: str = "http://127.0.0.1:8003"

    @classmethod
    def from_env(cls) -> Urls:
        return cls(
            claims=os.environ.get("CLAIMS_URL", "http://127.0.0.1:8001"),
            payouts=os.environ.get("PAYOUTS_URL", "http://127.0.0.1:8002"),
            sandbox=os.environ.get("SANDBOX_URL", "http://127.0.0.1:8009"),
            billing=os.environ.get("BILLING_URL", "http://127.0.0.1:8003"),
        )


class Actors:
    """Bearer tokens for each person in the story, minted with the platform's JWT settings."""

    def __init__(self, settings: PlatformSettings, customer_id: str) -> None:
        self._settings = settings
        self.customer_id = customer_id

    def _headers(self, subject: str, role: Role, customer_id: str | None = None) -> dict[str, str]:
        token = mint_token(
            secret=self._settings.jwt_secret, issuer=self._settings.jwt_issuer,
            audience=self._settings.jwt_audience, subject=subject, roles=[role],
            customer_id=customer_id,
        )
        return {"Authorization": f"Bearer {token}"}

    @property
    def agent(self) -> dict[str, str]:
        return self._headers("agent-ana", Role.AGENT)

    @property
    def customer(self) -> dict[str, str]:
        return self._headers(f"user-{self.customer_id}", Role.CUSTOMER, self.customer_id)

    @property
    def support(self) -> dict[str, str]:
        return self._headers("support-sam", Role.SUPPORT_SERVICES)

    @property
    def payables(self) -> dict[str, str]:
        return self._headers("payables-pat", Role.PAYABLES)


def expect(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise DemoFailed(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, expected {status}: {response.text[:500]}"
        )
    return response.json()


@dataclass
class FlowResult:
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
                raise DemoFailed(f"claim {claim_id} still {claim['status']} after "
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
) -> FlowResult:
    """The whole of seed 000; raises DemoFailed unless exactly one payment reached the payee."""
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
            raise DemoFailed(f"expected one payout for {payout_key}, got {len(payouts)}")
        payout = payouts[0]
        say(f"8. payout {payout['id']} is {payout['status']} on {payout['rail']}")

        mine = await flow.ledger_entries()
        for entry in mine:
            say(f"9. sandbox ledger: {entry['rail']} {entry['endToEndId']} {entry['amount']} "
                f"{entry['currency']} to {entry['payeeEmail']} - {entry['status']}")
        if len(mine) != 1 or Decimal(mine[0]["amount"]) != Decimal(amount):
            raise DemoFailed(f"expected exactly one payment of {amount} to {flow.email}, "
                             f"got {mine}")
        return FlowResult(flow.email, Decimal(amount), claim, payout, mine)


async def run_all(urls: Urls, say: Say = print) -> None:
    """Every demo, in the order of the seeds: claim credit, BYOP, payout rails, billing."""
    # Imported here: each of those modules builds on this one.
    from scripts import demo_billing, demo_claims, demo_payouts

    say("== Claim credit paid through JP Morgan Concourse (seed 000) ==")
    result = await claim_credit_flow(urls, say)
    say(f"done: exactly one payment of {result.amount} to {result.customer_email}")
    say("\n== BYOP to the customer and to the pro, claim credit by check (seed 001) ==")
    await demo_claims.run(urls, say)
    say("\n== Payout rails: Zelle to a service pro, a check returned and paid again ==")
    await demo_payouts.run(urls, say)
    say("\n== Customer portal payment applied oldest invoice first (seed 002) ==")
    await demo_billing.run(urls, say)


def main() -> int:
    try:
        asyncio.run(run_all(Urls.from_env()))
    except (DemoFailed, httpx.HTTPError, OSError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        print("is the stack running? start it with `make run` in another terminal",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
