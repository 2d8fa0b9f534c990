"""Lock order: every writer of a contract's claims locks the contract, then the claim, then the
payout. The approval and the payout events lock all three in one statement each, so these tests
hold the contract elsewhere and check that the waiting statement holds nothing else yet."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.claims.consumers.payout_events import payout_events_handler
from services.claims.service.context import ServiceContext
from tests.integration.api import ok

from .conftest import Flow
from .test_payout_events import approved_command, paid


async def _waiting_for_a_lock(claims: ServiceContext) -> bool:
    async with claims.sessions() as session:
        waiting = await session.execute(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"))
        return bool(waiting.scalar_one())


async def _lockable_now(claims: ServiceContext, sql: str, ident: str) -> bool:
    async with claims.sessions() as session, session.begin():
        try:
            await session.execute(text(sql + " FOR UPDATE NOWAIT"), {"id": ident})
        except DBAPIError:
            return False
        return True


async def _holding_the_contract(
    claims: ServiceContext, claim_id: str, writer: Callable[[], Coroutine[Any, Any, object]],
    others: dict[str, str],
) -> object:
    """Run ``writer`` while the claim's contract is locked elsewhere; once it waits, every
    ``others`` row (SQL selecting it by ``:id`` -> id) must still be free. Its result."""
    async with claims.sessions() as holder, holder.begin():
        await holder.execute(text(
            "SELECT id FROM contracts WHERE id = (SELECT contract_id FROM claims WHERE id = :id)"
            " FOR UPDATE"), {"id": claim_id})
        task = asyncio.create_task(writer())
        for _ in range(200):
            if await _waiting_for_a_lock(claims):
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the writer never waited for the contract")
        for sql, ident in others.items():
            assert await _lockable_now(claims, sql, ident), sql
    return await task


async def test_a_payout_event_locks_the_contract_before_the_claim_and_the_payout(
    flow: Flow, claims: ServiceContext
) -> None:
    claim_id, command = await approved_command(flow, claims)
    handle = payout_events_handler(claims)

    async def deliver() -> None:
        await handle(paid(command, claim_id))

    await _holding_the_contract(claims, claim_id, deliver, {
        "SELECT id FROM claims WHERE id = :id": claim_id,
        "SELECT payout_key FROM claim_payouts WHERE payout_key = :id": command.payout_key,
    })
    claim = ok(await flow.client.get(f"/v1/claims/{claim_id}", headers=flow.me))
    assert claim["status"] == "paid"


async def test_an_approval_locks_the_contract_before_the_claim(
    flow: Flow, claims: ServiceContext
) -> None:
    claim_id = await flow.ready_claim()

    async def approve() -> object:
        return await flow.approve(claim_id)

    response = await _holding_the_contract(claims, claim_id, approve, {
        "SELECT id FROM claims WHERE id = :id": claim_id,
    })
    assert isinstance(response, httpx.Response)
    assert ok(response)["status"] == "approved"
