"""Portal payments under load: payments per second with allocation, their p99, and the p99 of
``GET /v1/accounts/{id}/balance`` read while the payments run.

Each paying task owns one account (payments on one account are serialised by its row lock, so
one payer per account measures the service, not lock queueing). Every confirmation is checked:
allocations add up to the amount, oldest invoice first, and at the end every balance equals the
opening balance less what was paid.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from bench.flows import percentile
from bench.load import TRANSPORT_ERRORS, Answer, LoadClient, expect
from shared.settings import PlatformSettings
from warranty_client.portal import PortalAccount

INVOICE = Decimal("40.00")
PAYMENT = Decimal("25.00")  # spans one or two invoices: a part payment every other time


@dataclass
class Payer:
    account: PortalAccount
    token: str
    opening: Decimal
    paid: Decimal = Decimal("0.00")
    errors: list[str] = field(default_factory=list)


async def _open(billing: httpx.AsyncClient, gateway: httpx.AsyncClient,
                settings: PlatformSettings, invoices: int) -> Payer:
    first = date(2026, 1, 1)
    acct = await PortalAccount(billing, gateway, settings).open(invoices=())
    for i in range(invoices):
        await acct.add_invoice((first + timedelta(days=i)).isoformat(), str(INVOICE),
                               number=f"{acct.customer_id}-{i:04d}")
    balance = Decimal((await acct.balance())["balance"])
    return Payer(acct, await acct.tokenize(), balance)


BODY = {"billing_details": {"name": "Pat Payables", "postal_code": "78701"}}


async def _pay(load: LoadClient, billing_url: str, payer: Payer, key: str) -> Answer:
    """``PortalAccount.pay`` through the load client, as the company contact."""
    account = payer.account
    return await load.post(
        f"{billing_url}{account.path}/payments",
        headers={**account.portal(account.company), "Idempotency-Key": key},
        json_body={"amount": str(PAYMENT), "payment_method_token": payer.token, **BODY})


async def _balance(load: LoadClient, billing_url: str, payer: Payer) -> None:
    account = payer.account
    url = f"{billing_url}{account.path}/balance"
    expect(await load.get(url, headers=account.portal(account.company)), 200, f"GET {url}")


def _check(confirmation: dict[str, Any]) -> str | None:
    lines = confirmation["allocations"]
    applied = sum((Decimal(a["amount_applied"]) for a in lines), Decimal("0"))
    dates = [a["invoice_date"] for a in lines]
    if applied != Decimal(confirmation["amount"]) or dates != sorted(dates):
        return f"bad allocation {lines} for {confirmation['amount']}"
    return None


RETRIES = 5

# Wraps the timed phase only (not the accounts' setup nor the closing checks): the profiler
# samples CPU and starts py-spy in it.
Phase = Callable[[], AbstractAsyncContextManager[object]]


async def portal_payments(billing_url: str, gateway_url: str, *, accounts: int = 32,
                          invoices: int = 40, seconds: float = 8, readers: int = 8,
                          phase: Phase = nullcontext) -> dict[str, Any]:
    settings = PlatformSettings()
    async with (AsyncExitStack() as clients, LoadClient() as load,
                httpx.AsyncClient(base_url=gateway_url, timeout=30) as gateway):
        setup = asyncio.Semaphore(8)

        async def opened() -> Payer:
            # Setting up (not measured) goes through the demo's httpx client, one per account:
            # httpx scans every connection of its pool on each request.
            billing = await clients.enter_async_context(
                httpx.AsyncClient(base_url=billing_url, timeout=30))
            async with setup:
                return await _open(billing, gateway, settings, invoices)

        payers = await asyncio.gather(*(opened() for _ in range(accounts)))
        pay_ms: list[float] = []
        read_ms: list[float] = []
        deadline = 0.0  # set when the phase starts

        async def pay(payer: Payer) -> None:
            while time.perf_counter() < deadline and payer.opening - payer.paid >= PAYMENT:
                started = time.perf_counter()
                key = f"bench-{uuid.uuid4().hex}"
                for attempt in range(RETRIES):
                    try:
                        answer = await _pay(load, billing_url, payer, key)
                    except TRANSPORT_ERRORS:
                        if attempt == RETRIES - 1:
                            raise
                        continue
                    if answer.status < 500:
                        break
                    # "Retry with the same Idempotency-Key": the gateway charges at most once.
                    await asyncio.sleep(0.2)
                confirmation = expect(answer, 201, "portal payment")
                pay_ms.append((time.perf_counter() - started) * 1000)
                payer.paid += PAYMENT
                if problem := _check(confirmation):
                    payer.errors.append(problem)

        turns = itertools.cycle(payers)  # readers spread over every account

        async def read() -> None:
            while time.perf_counter() < deadline:
                payer = next(turns)
                started = time.perf_counter()
                await _balance(load, billing_url, payer)
                read_ms.append((time.perf_counter() - started) * 1000)

        async with phase():
            started = time.perf_counter()
            deadline = started + seconds
            await asyncio.gather(*(pay(p) for p in payers), *(read() for _ in range(readers)))
            elapsed = time.perf_counter() - started
        errors = [e for p in payers for e in p.errors]
        for payer in payers:
            closing = Decimal((await payer.account.balance())["balance"])
            if closing != payer.opening - payer.paid:
                errors.append(f"{payer.account.customer_id}: balance {closing}, expected "
                              f"{payer.opening - payer.paid}")
    return {
        "payments": len(pay_ms), "payers": accounts,
        "payments_per_s": round(len(pay_ms) / elapsed, 1),
        "payment_p50_ms": round(percentile(pay_ms, 50), 1),
        "payment_p99_ms": round(percentile(pay_ms, 99), 1),
        "balance_reads_per_s": round(len(read_ms) / elapsed, 1),
        "balance_p99_ms": round(percentile(read_ms, 99), 1),
        "allocation_ok": not errors, "allocation_errors": errors[:5],
    }
