"""The flows the chaos run drives, built on the client flows (``warranty_client``).

Every flow is seeded by (seed, index), so a run is reproducible in what it asks for. A claim
flow ends when Support Services approved (the money is then the platform's job, audited at the
end); a billing flow ends with the portal payment's confirmation. A flow whose client gave up
(a service stayed down while nothing else moved either, or a retried non-idempotent step was
refused because its first try had landed) is *abandoned*: recorded, never hidden, and still
audited.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from chaos.client import GaveUp, RetryingClient
from chaos.progress import Progress
from shared.settings import PlatformSettings
from warranty_client.claims import DEDUCTIBLE, ByopFlow
from warranty_client.http import FlowFailed, Urls, expect
from warranty_client.portal import PortalAccount

KINDS = ("claim_credit_concourse", "claim_credit_check", "byop_concourse_customer",
         "byop_zelle_pro", "billing_payment")


@dataclass
class FlowRecord:
    index: int
    kind: str
    status: str = "started"  # approved | paid (billing) | abandoned
    claim_id: str | None = None
    expected: Decimal | None = None  # what the claim should pay, as the flow computed it
    payment_id: str | None = None  # billing
    error: str | None = None
    retries: int = 0


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _quiet(_: str) -> None:
    return None


class FlowContext:
    def __init__(self, urls: Urls, settings: PlatformSettings, seed: int,
                 progress: Progress) -> None:
        self.urls, self.settings, self.seed, self.progress = urls, settings, seed, progress

    def rng(self, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{index}")  # noqa: S311 - reproducible


async def _approve(flow: ByopFlow, claim_id: str) -> None:
    # One key per approval: the client's retries resend it, so a lost answer is not a 2nd hold.
    expect(await flow.http.post(
        f"{flow.urls.claims}/v1/claims/{claim_id}/approve",
        headers={**flow.actors.support, "Idempotency-Key": f"chaos-{uuid.uuid4().hex}"},
        json={}), 200)


async def _claim_credit(http: httpx.AsyncClient, ctx: FlowContext, rec: FlowRecord,
                        rng: random.Random) -> tuple[ByopFlow, str]:
    """A Claim Credit of a random amount, opened and recorded; its flow and claim id."""
    flow = ByopFlow(http, ctx.urls, _quiet, ctx.settings)
    amount = _cents(rng, 20, 900)
    claim = await flow.open_claim(str(amount))
    rec.claim_id, rec.expected = claim["id"], amount
    return flow, claim["id"]


async def claim_credit_concourse(http: httpx.AsyncClient, ctx: FlowContext, rec: FlowRecord,
                                 rng: random.Random) -> None:
    flow, claim_id = await _claim_credit(http, ctx, rec, rng)
    expect(await flow.select_concourse(claim_id), 200)
    await _approve(flow, claim_id)


async def claim_credit_check(http: httpx.AsyncClient, ctx: FlowContext, rec: FlowRecord,
                             rng: random.Random) -> None:
    flow, claim_id = await _claim_credit(http, ctx, rec, rng)
    address = {"line1": f"{rng.randint(1, 9999)} Elm St {uuid.uuid4().hex[:6]}",
               "city": "Austin", "state": "TX", "zip": "78701"}
    await flow.select(claim_id, {"rail": "check", "accept_terms": True,
                                 "mailing_address": address}, flow.actors.customer)
    await _approve(flow, claim_id)


async def _byop_claim(flow: ByopFlow, rec: FlowRecord, rng: random.Random) -> dict[str, Any]:
    authorized = _cents(rng, 150, 900)
    estimate = authorized + _cents(rng, 0, 100)
    invoice = authorized + _cents(rng, -50, 50)
    claim = await flow.reimbursement_claim(estimate=str(estimate), authorized=str(authorized),
                                           invoice=str(invoice))
    rec.claim_id, rec.expected = claim["id"], min(invoice, authorized) - DEDUCTIBLE
    return claim


async def byop_concourse_customer(http: httpx.AsyncClient, ctx: FlowContext, rec: FlowRecord,
                                  rng: random.Random) -> None:
    flow = ByopFlow(http, ctx.urls, _quiet, ctx.settings)
    claim = await _byop_claim(flow, rec, rng)
    await flow.select(claim["id"], {"rail": "concourse", "payee": "customer",
                                    "accept_terms": True}, flow.actors.customer)
    await _approve(flow, claim["id"])


async def byop_zelle_pro(http: httpx.AsyncClient, ctx: FlowContext, rec: FlowRecord,
                         rng: random.Random) -> None:
    flow = ByopFlow(http, ctx.urls, _quiet, ctx.settings)
    claim = await _byop_claim(flow, rec, rng)
    await flow.select(claim["id"], {"rail": "zelle", "payee": "service_pro"},
                      flow.actors.byop_agent)
    await flow.confirm(claim["id"])
    await _approve(flow, claim["id"])


async def billing_payment(http: httpx.AsyncClient, ctx: FlowContext, rec: FlowRecord,
                          rng: random.Random) -> None:
    amounts = [_cents(rng, 10, 300) for _ in range(rng.randint(1, 4))]
    invoices = tuple((f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}", str(a))
                     for a in amounts)
    async with (RetryingClient(progress=ctx.progress, base_url=ctx.urls.billing,
                               timeout=15) as billing,
                RetryingClient(progress=ctx.progress, base_url=ctx.urls.sandbox + "/gateway/v1",
                               timeout=15) as gateway):
        account = await PortalAccount(billing, gateway, ctx.settings).open(invoices)
        token = await account.tokenize()
        amount = _cents(rng, 1, int(sum(amounts)))
        rec.expected = amount
        paid = expect(await account.pay(str(amount), token, key=f"chaos-{uuid.uuid4().hex}"),
                      201)
        rec.payment_id = str(paid["id"])
        rec.retries += billing.retries + gateway.retries


Step = Callable[[httpx.AsyncClient, FlowContext, FlowRecord, random.Random], Awaitable[None]]
STEPS: dict[str, Step] = {
    "claim_credit_concourse": claim_credit_concourse, "claim_credit_check": claim_credit_check,
    "byop_concourse_customer": byop_concourse_customer, "byop_zelle_pro": byop_zelle_pro,
    "billing_payment": billing_payment,
}


def kind_of(seed: int, index: int) -> str:
    # Round robin over a seeded shuffle: every kind gets its share even in a small run.
    order = list(KINDS)
    random.Random(f"{seed}:kinds:{index // len(KINDS)}").shuffle(order)  # noqa: S311
    return order[index % len(KINDS)]


async def run_flow(ctx: FlowContext, index: int) -> FlowRecord:
    rec = FlowRecord(index, kind_of(ctx.seed, index))
    async with RetryingClient(progress=ctx.progress, timeout=15) as http:
        try:
            await STEPS[rec.kind](http, ctx, rec, ctx.rng(index))
            rec.status = "paid" if rec.kind == "billing_payment" else "approved"
        except (FlowFailed, GaveUp, httpx.HTTPError) as exc:
            rec.status, rec.error = "abandoned", f"{type(exc).__name__}: {exc}"[:300]
        rec.retries += http.retries
    ctx.progress.moved()
    return rec
