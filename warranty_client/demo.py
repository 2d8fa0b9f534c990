"""``make demo`` (and ``warranty-ops demo``): every flow against the running stack, in the
order of the seeds, telling each step; the exit status says whether every figure added up."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

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


def run_demo(flow: Callable[[Urls], Coroutine[Any, Any, object]], *, failed: str = "demo failed",
             done: str | None = None, hint: bool = False,
             errors: tuple[type[Exception], ...] = (FlowFailed, httpx.HTTPError)) -> int:
    """A demo script's exit status: ``flow`` run against the stack at the environment's URLs;
    a failure (``errors``) is told on stderr as ``failed`` (with how to start the stack when
    ``hint``), success with ``done`` when given."""
    try:
        asyncio.run(flow(Urls.from_env()))
    except errors as exc:
        print(f"{failed}: {exc}", file=sys.stderr)
        if hint:
            print("is the stack running? start it with `make run` in another terminal",
                  file=sys.stderr)
        return 1
    if done is not None:
        print(done)
    return 0


def main() -> int:
    return run_demo(run_all, hint=True, errors=(FlowFailed, httpx.HTTPError, OSError))
