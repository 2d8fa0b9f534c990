"""Limits as accumulators on a real PostgreSQL: approval reserves, payment consumes, a failed,
cancelled or returned payout releases; two approvals racing on one contract cannot both pass."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
from sqlalchemy import select

from services.claims.adapters.orm import LimitHoldRow
from services.claims.consumers.payout_events import payout_events_handler
from services.claims.service.context import ServiceContext
from tests.integration.api import ok, problem

from .conftest import Actors, Flow, contract_body, new_flow
from .test_claim_credit_flow import outbox_commands
from .test_payout_events import failed, paid

TWO_ITEMS = [
    {"kind": "microwave", "description": "Countertop microwave"},
    {"kind": "refrigerator", "description": "French door refrigerator"},
]


async def holds(claims: ServiceContext, contract_id: str) -> list[tuple[str, str, Decimal]]:
    async with claims.sessions() as session:
        rows = (await session.execute(
            select(LimitHoldRow).where(LimitHoldRow.contract_id == contract_id)
            .order_by(LimitHoldRow.created_at)
        )).scalars().all()
    return [(r.limit_kind.value, r.status.value, r.amount) for r in rows]


async def two_ready_claims(flow: Flow, amount: str) -> tuple[str, str]:
    first = await flow.ready_claim("microwave", amount)
    second = await flow.ready_claim("refrigerator", amount)
    return first, second


async def race(flow: Flow, first: str, second: str) -> list[httpx.Response]:
    # Two different approvers, at the same moment, on the same contract.
    supervisor = flow.actors.supervisor
    return list(await asyncio.gather(flow.approve(first), flow.approve(second, supervisor)))


async def test_two_racing_approvals_cannot_both_spend_the_aggregate(
    client: httpx.AsyncClient, actors: Actors, claims: ServiceContext
) -> None:
    for _ in range(5):
        limits = {"service_fee": "100.00", "per_claim_cap": "1000.00",
                  "annual_aggregate": "400.00"}
        flow = await new_flow(client, actors, limits=limits, covered_items=TWO_ITEMS)
        first, second = await two_ready_claims(flow, "250.00")
        answers = await race(flow, first, second)
        assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
        loser = next(r for r in answers if r.status_code == 409)
        problem(loser, 409, "aggregate-limit-exceeded")
        assert await holds(claims, flow.contract["id"]) == [
            ("annual_aggregate", "reserved", Decimal("250.00"))]


async def test_the_one_time_replacement_credit_goes_to_one_racing_claim_credit(
    client: httpx.AsyncClient, actors: Actors, claims: ServiceContext
) -> None:
    body = contract_body("x", covered_items=TWO_ITEMS)
    limits = {**body["limits"], "replacement_credit": "250.00"}
    flow = await new_flow(client, actors, limits=limits, covered_items=TWO_ITEMS)
    first, second = await two_ready_claims(flow, "200.00")
    answers = await race(flow, first, second)
    assert sorted(r.status_code for r in answers) == [200, 409]
    problem(next(r for r in answers if r.status_code == 409), 409, "replacement-credit-used")
    assert sorted(await holds(claims, flow.contract["id"])) == [
        ("annual_aggregate", "reserved", Decimal("200.00")),
        ("replacement_credit", "reserved", Decimal("200.00")),
    ]


async def test_a_claim_credit_above_the_replacement_credit_is_refused(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    limits = {"service_fee": "0.00", "per_claim_cap": "1000.00", "annual_aggregate": "5000.00",
              "replacement_credit": "250.00"}
    flow = await new_flow(client, actors, limits=limits)
    claim_id = await flow.ready_claim("microwave", "250.01")
    problem(await flow.approve(claim_id), 409, "replacement-credit-exceeded")


async def test_payment_consumes_and_a_failure_releases(
    client: httpx.AsyncClient, actors: Actors, claims: ServiceContext
) -> None:
    limits = {"service_fee": "100.00", "per_claim_cap": "1000.00", "annual_aggregate": "400.00"}
    flow = await new_flow(client, actors, limits=limits, covered_items=TWO_ITEMS)
    handle = payout_events_handler(claims)
    first, second = await two_ready_claims(flow, "250.00")

    ok(await flow.approve(first))
    [command] = await outbox_commands(claims, first)
    await handle(failed(command, first))
    assert await holds(claims, flow.contract["id"]) == [
        ("annual_aggregate", "released", Decimal("250.00"))]
    # The released money is available again: the other claim can now be approved and paid.
    ok(await flow.approve(second))
    [other] = await outbox_commands(claims, second)
    await handle(paid(other, second))
    assert await holds(claims, flow.contract["id"]) == [
        ("annual_aggregate", "released", Decimal("250.00")),
        ("annual_aggregate", "consumed", Decimal("250.00")),
    ]
    # And the first, re-selected and re-approved, no longer fits: 250 of 400 is spent.
    ok(await flow.choose_concourse(first))
    problem(await flow.approve(first), 409, "aggregate-limit-exceeded")
