"""Seed 000 end to end through the real processes: claims API and worker, RabbitMQ, payouts
worker and API, the Concourse sandbox and its signed callback, and back to the claim."""

from __future__ import annotations

from decimal import Decimal

import httpx

from warranty_client.claim_credit import ClaimCreditFlow, claim_credit_flow
from warranty_client.http import Urls, expect


async def test_claim_credit_is_paid_once_through_concourse(
    urls: Urls, flow: ClaimCreditFlow
) -> None:
    lines: list[str] = []
    result = await claim_credit_flow(urls, lines.append, amount="312.45")

    assert result.claim["status"] == "paid"
    assert result.payout["status"] == "paid" and result.payout["rail"] == "concourse"
    [entry] = result.ledger_entries
    assert Decimal(entry["amount"]) == Decimal("312.45")
    assert entry["payeeEmail"] == result.customer_email and entry["status"] == "COMPLETED"
    timeline = expect(await flow.http.get(
        f"{urls.claims}/v1/claims/{result.claim['id']}/timeline",
        headers=flow.actors.support), 200)
    events = timeline["items"] if isinstance(timeline, dict) else timeline
    exception_moves = [e for e in events if e["entity"] == "exception"]
    assert exception_moves[-1]["to_status"] == "complete"
    assert any("payout" in line and "paid" in line for line in lines)


async def test_placeholder_email_and_unaccepted_terms_are_refused(flow: ClaimCreditFlow) -> None:
    claim = await flow.open_claim("100.00")

    placeholder = await flow.select_concourse(claim["id"], email="noemail@cinch.com")
    assert placeholder.status_code == 422
    assert placeholder.headers["content-type"] == "application/problem+json"
    assert placeholder.json()["type"] == "urn:warranty:problem:placeholder-email"

    no_terms = await flow.select_concourse(claim["id"], accept_terms=False)
    assert no_terms.status_code == 422
    assert no_terms.headers["content-type"] == "application/problem+json"

    # Nothing was selected, so nothing can be approved or paid.
    refused = await flow.http.post(
        f"{flow.urls.claims}/v1/claims/{claim['id']}/approve",
        headers={**flow.actors.support, "Idempotency-Key": "k-" + claim["id"]}, json={})
    assert refused.status_code in (409, 422)
    assert await flow.ledger_entries() == []


async def test_sandbox_ledger_and_readiness(urls: Urls, http: httpx.AsyncClient) -> None:
    for base in (urls.claims, urls.payouts, urls.sandbox):
        assert (await http.get(base + "/readyz")).status_code == 200
    assert (await http.get(urls.claims + "/openapi.json")).json()["info"]["title"]
