"""The claims flows beyond seed 000:

1. BYOP (seed 001) reimbursed to the customer by JP Morgan Concourse;
2. BYOP paid to the customer's service pro by Zelle;
3. a Claim Credit paid by check to the customer's mailing address.

Each checks the provider sandbox's ledger: exactly one payment, to the cent, to the right payee.
Nothing is skipped: when a rail answers that it cannot pay (the payout fails), the flow fails
with that answer.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from shared.settings import PlatformSettings
from warranty_client.claim_credit import ClaimCreditFlow
from warranty_client.http import FlowFailed, Say, Urls, expect

DEDUCTIBLE = Decimal("100.00")
# A claim the payouts side has taken (check: issued and in the mail) or finished.
MONEY_SENT = ("transferred", "paid")


@dataclass
class ClaimFlowResult:
    claim: dict[str, Any]
    expected: Decimal
    ledger_entries: list[dict[str, Any]]


class ByopFlow(ClaimCreditFlow):
    """Seed 001 as the BYOP team, the customer and Support Services take it, over HTTP."""

    def __init__(self, http: httpx.AsyncClient, urls: Urls, say: Say,
                 settings: PlatformSettings | None = None) -> None:
        super().__init__(http, urls, say, settings=settings)
        tag = uuid.uuid4().hex[:8]
        self.pro = {"name": f"Acme Plumbing {tag}", "email": f"billing+{tag}@acme-plumbing.net",
                    "mobile": "+15125550188", "zelle_token": f"zelle+{tag}@acme-plumbing.net",
                    "mailing_address": {"line1": f"{tag} Trade Rd", "city": "Austin",
                                        "state": "TX", "zip": "78702"}}

    async def reimbursement_claim(
        self, *, estimate: str, authorized: str, invoice: str
    ) -> dict[str, Any]:
        """Stages 1-3 of seed 001: initiation, diagnosis and estimate, completion."""
        http, base, say = self.http, f"{self.urls.claims}/v1", self.say
        contract = expect(await http.post(f"{base}/contracts", headers=self.actors.agent,
                                          json=self._contract()), 201)
        job = expect(await http.post(f"{base}/byop-jobs", headers=self.actors.byop_agent, json={
            "contract_id": contract["id"], "problem": "Microwave does not heat",
            "covered_item_id": contract["covered_items"][0]["id"]}), 201)
        say(f"1. BYOP agent opened job {job['job_id']}: customer authorized to schedule a pro")
        url = f"{base}/byop-jobs/{job['job_id']}"
        expect(await http.post(f"{url}/diagnosis", headers=self.actors.byop_agent, json={
            "service_pro": self.pro, "diagnosis": "Magnetron failed", "estimate": estimate}),
            200)
        expect(await http.post(f"{url}/decision", headers=self.actors.byop_agent, json={
            "decision": "authorize", "authorized_amount": authorized,
            "reason": "Covered: failed magnetron"}), 200)
        say(f"2. pro {self.pro['name']} estimated ${estimate}; ${authorized} authorized")
        expect(await http.post(f"{url}/completion", headers=self.actors.byop_agent,
                               json={"invoice_amount": invoice}), 200)
        claim: dict[str, Any] = expect(await http.post(
            f"{url}/payment-request", headers=self.actors.byop_agent), 201)
        say(f"3. invoice ${invoice} received; claim {claim['id']} {claim['status']} for "
            f"${claim['payable']} (min(invoice, authorized) less ${claim['deductible']})")
        return claim

    async def select(self, claim_id: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        expect(await self.http.post(f"{self.urls.claims}/v1/claims/{claim_id}/payment-option",
                                    headers=headers, json=body), 200)

    async def confirm(self, claim_id: str) -> None:
        """Seed 001 stage 3: the customer accepts the payment confirmation (the terms)."""
        terms = expect(await self.http.get(f"{self.urls.claims}/v1/terms",
                                           headers=self.actors.customer), 200)
        expect(await self.http.post(
            f"{self.urls.claims}/v1/claims/{claim_id}/payment-confirmation",
            headers=self.actors.customer,
            json={"accept_terms": True, "terms_version": terms["version"]}), 200)

    async def zelle_to_the_pro(self, claim_id: str) -> None:
        """Seed 001 stage 4 for the pro: the BYOP agent records the payment form (Zelle to the
        service pro) and the customer accepts the payment confirmation."""
        await self.select(claim_id, {"rail": "zelle", "payee": "service_pro"},
                          self.actors.byop_agent)
        await self.confirm(claim_id)

    async def paid_out(self, claim_id: str, timeout_s: float = 60) -> dict[str, Any]:
        """Wait until payouts has the money on its way; a rail's refusal fails the flow."""
        deadline = time.monotonic() + timeout_s
        while True:
            claim = await self.claim(claim_id)
            if claim["status"] in MONEY_SENT:
                return claim
            payouts = claim["payouts"]
            if payouts and payouts[-1]["status"] in ("failed", "cancelled", "returned"):
                raise FlowFailed(f"the {payouts[-1]['rail']} payout of claim {claim_id} "
                                 f"{payouts[-1]['status']}: {payouts[-1]['failure_reason']}")
            if time.monotonic() > deadline:
                raise FlowFailed(f"claim {claim_id} still {claim['status']} after "
                                 f"{timeout_s:.0f} s")
            await asyncio.sleep(0.25)

    async def ledger_where(self, match: Callable[[dict[str, Any]], bool],
                           timeout_s: float = 15) -> list[dict[str, Any]]:
        """The sandbox's payments to this payee (waits for the first to appear)."""
        deadline = time.monotonic() + timeout_s
        while True:
            ledger = expect(await self.http.get(f"{self.urls.sandbox}/ledger"), 200)
            mine = [p for p in ledger["payments"] if match(p)]
            if mine or time.monotonic() > deadline:
                return mine
            await asyncio.sleep(0.25)


def _one_payment(entries: list[dict[str, Any]], rail: str, amount: Decimal) -> None:
    if len(entries) != 1 or entries[0]["rail"] != rail or Decimal(entries[0]["amount"]) != amount:
        raise FlowFailed(f"expected exactly one {rail} payment of {amount}, got {entries}")


async def byop_concourse_to_customer(urls: Urls, say: Say = print) -> ClaimFlowResult:
    async with httpx.AsyncClient(timeout=15) as http:
        flow = ByopFlow(http, urls, say)
        claim = await flow.reimbursement_claim(estimate="950.00", authorized="900.00",
                                               invoice="862.37")
        await flow.select(claim["id"], {"rail": "concourse", "payee": "customer",
                                        "accept_terms": True}, flow.actors.customer)
        say("4. customer accepted the payment confirmation: JP Morgan Concourse to "
            f"{flow.email}")
        await flow.approve(claim["id"])
        claim = await flow.wait_for_claim(claim["id"], "paid", 60)
        expected = Decimal("862.37") - DEDUCTIBLE
        entries = await flow.ledger_where(
            lambda p: p["payeeEmail"].lower() == flow.email.lower())
        _one_payment(entries, "concourse", expected)
        say(f"5. claim paid; sandbox ledger: concourse {entries[0]['amount']} to {flow.email}")
        return ClaimFlowResult(claim, expected, entries)


async def byop_zelle_to_service_pro(urls: Urls, say: Say = print) -> ClaimFlowResult:
    async with httpx.AsyncClient(timeout=15) as http:
        flow = ByopFlow(http, urls, say)
        claim = await flow.reimbursement_claim(estimate="640.00", authorized="610.50",
                                               invoice="655.00")
        await flow.zelle_to_the_pro(claim["id"])
        say(f"4. BYOP agent recorded the payment form: Zelle to {flow.pro['name']}; the "
            "customer accepted the payment confirmation")
        await flow.approve(claim["id"])
        claim = await flow.paid_out(claim["id"])
        expected = Decimal("610.50") - DEDUCTIBLE
        entries = await flow.ledger_where(lambda p: p["payeeName"] == flow.pro["name"])
        _one_payment(entries, "zelle", expected)
        say(f"5. claim {claim['status']}; sandbox ledger: zelle {entries[0]['amount']} to "
            f"{flow.pro['name']}")
        return ClaimFlowResult(claim, expected, entries)


async def claim_credit_by_check(urls: Urls, say: Say = print) -> ClaimFlowResult:
    async with httpx.AsyncClient(timeout=15) as http:
        flow = ByopFlow(http, urls, say)
        claim = await flow.open_claim("187.65")
        line1 = f"{uuid.uuid4().hex[:10]} Elm St"
        address = {"line1": line1, "city": "Austin", "state": "TX", "zip": "78701"}
        await flow.select(claim["id"], {"rail": "check", "accept_terms": True,
                                        "mailing_address": address}, flow.actors.customer)
        say(f"5. customer chose a mailed check to {line1}, Austin TX and accepted the terms")
        await flow.approve(claim["id"])
        claim = await flow.paid_out(claim["id"])
        expected = Decimal("187.65")
        entries = await flow.ledger_where(
            lambda p: (p.get("payeeAddress") or {}).get("line1") == line1)
        _one_payment(entries, "check", expected)
        say(f"7. claim {claim['status']}; sandbox ledger: check {entries[0]['amount']} to "
            f"{entries[0]['payeeName']}, {line1}")
        return ClaimFlowResult(claim, expected, entries)


FLOWS = (
    ("BYOP to the customer by Concourse", byop_concourse_to_customer),
    ("BYOP to the service pro by Zelle", byop_zelle_to_service_pro),
    ("Claim Credit by check", claim_credit_by_check),
)


async def run_claims_flows(urls: Urls, say: Say = print) -> None:
    """Every flow, in order; the first failure stops the demo with its reason."""
    for title, flow in FLOWS:
        say(f"== {title}")
        await flow(urls, say)
