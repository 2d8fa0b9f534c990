"""``make demo`` (and ``warranty-ops demo``): every flow against the running stack, in the
order of the seeds, telling each step; the exit status says whether every figure added up."""

from __future__ import annotations

import asyncio
import sys

import httpx

from warranty_client.claim_credit import claim_credit_flow
from warranty_client.claims import run_claims_flows
from warranty_client.http import FlowFailed, Say, Urls
from warranty_client.payout_rails import run_payout_rails
from warranty_client.portal import portal_payment


async def run_all(urls: Urls, say: Say = print) -> None:
    """Every demo, in the order of the seeds: claim credit, BYOP, payout rails, billing."""
    say("== Claim credit paid through JP Morgan Concourse (seed 000) ==")
    result = await claim_credit_flow(urls, say)
    say(f"done: exactly one payment of {result.amount} to {result.customer_email}")
    say("\n== BYOP to the customer and to the pro, claim credit by check (seed 001) ==")
    await run_claims_flows(urls, say)
    say("\n== Payout rails: Zelle to a service pro, a check returned and paid again ==")
    await run_payout_rails(urls, say)
    say("\n== Customer portal payment applied oldest invoice first (seed 002) ==")
    await portal_payment(urls, say)


def main() -> int:
    try:
        asyncio.run(run_all(Urls.from_env()))
    except (FlowFailed, httpx.HTTPError, OSError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        print("is the stack running? start it with `make run` in another terminal",
              file=sys.stderr)
        return 1
    return 0
