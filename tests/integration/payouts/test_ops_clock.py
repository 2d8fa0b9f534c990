"""The payouts clock moved over HTTP: the Zelle 24-hour promise breached without waiting a day;
the control endpoint is the operators' only and absent in production."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.payouts.bootstrap import create_app
from services.payouts.service.dispatch import dispatch_once
from services.payouts.service.sla import sla_once
from services.payouts.settings import PayoutsSettings
from shared.messaging.contracts import PayoutSlaBreachedV1
from shared.messaging.contracts import Rail as R

from .conftest import PAYOUTS_BASE, World, command, pro
from .helpers import payouts

CLOCK = "/v1/ops/clock"


async def test_a_pending_zelle_payout_breaches_once_the_clock_is_moved_25_hours(
    world: World,
) -> None:
    # Zelle settles at once; without its callback (and no status poll in this test) the payout
    # stays submitted on our side: not known to be paid, as when the bank is slow to confirm.
    await world.faults(drop_callbacks=True)
    await world.request(command(rail=R.ZELLE, payee=pro(), amount="180.00"))
    await dispatch_once(world.deps)
    [payout] = await payouts(world)
    assert payout.status == "submitted"
    assert await sla_once(world.deps) == 0  # 24 h left

    moved = await world.move_clock(hours=25)
    assert moved["offset_seconds"] == 25 * 3600
    # world.deps is not the API's: like a worker process, it reads the offset in its pass.
    assert await sla_once(world.deps) == 1

    [breach] = await world.outbox(PayoutSlaBreachedV1.TYPE)
    assert (breach["payout_id"], breach["rail"], breach["status"]) == (
        str(payout.id), "zelle", "submitted")
    # A payout promised after the move gets its 24 h from the moved clock.
    await world.request(command(rail=R.ZELLE, payee=pro(), amount="20.00"))
    assert await sla_once(world.deps) == 0


async def test_the_clock_reads_as_it_was_moved(world: World) -> None:
    first = await world.move_clock(hours=1)
    second = await world.move_clock(hours=2)
    assert second["offset_seconds"] - first["offset_seconds"] == 2 * 3600
    shown = (await world.api.get(CLOCK, headers=world.token("ops"))).json()
    assert shown["offset_seconds"] == 3 * 3600


async def test_only_operators_move_the_payouts_clock(world: World) -> None:
    body = {"advance_seconds": 60}
    refused_tokens = [world.token("customer", customer_id="cust-1"), world.token("agent"),
                      world.token("payables"), world.token("support_services")]
    for headers in refused_tokens:
        response = await world.api.post(CLOCK, json=body, headers=headers)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
    refused = await world.api.post(CLOCK, json={"advance_seconds": -3600},
                                   headers=world.token("ops"))
    assert refused.status_code == 422
    assert refused.json()["type"] == "urn:warranty:problem:validation-error"
    shown = (await world.api.get(CLOCK, headers=world.token("ops"))).json()
    assert shown["offset_seconds"] == 0


@pytest.fixture
async def production_api(payouts_settings: PayoutsSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(payouts_settings.model_copy(update={"environment": "production"}))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=PAYOUTS_BASE
    ) as http:
        yield http


async def test_production_has_no_clock_route(production_api: httpx.AsyncClient,
                                             world: World) -> None:
    for method in ("GET", "POST"):
        response = await production_api.request(method, CLOCK, json={"advance_seconds": 60},
                                                headers=world.token("ops"))
        assert response.status_code == 404, response.text
        assert response.json()["type"] == "urn:warranty:problem:not-found"
    production_doc = (await production_api.get("/openapi.json")).json()
    assert CLOCK not in production_doc["paths"]
    assert "ops clock" not in [tag["name"] for tag in production_doc.get("tags", [])]
    assert CLOCK in (await world.api.get("/openapi.json")).json()["paths"]
