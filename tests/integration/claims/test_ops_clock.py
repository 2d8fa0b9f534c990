"""The claims clock moved over HTTP: the 24 h job expiry without waiting a day; the control
endpoint is the operators' only, refused on bad input and absent in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from services.claims.bootstrap import create_app
from services.claims.consumers.timers import expire_due_jobs
from services.claims.service.context import ServiceContext
from services.claims.settings import ClaimsSettings
from shared.auth import Role
from shared.clock import MAX_ADVANCE_SECONDS, ServiceClock, synced
from tests.integration.api import ok, problem

from .conftest import Actors, Flow

CLOCK = "/v1/ops/clock"
HOURS_25 = 25 * 3600


def ops(actors: Actors) -> dict[str, str]:
    return actors.headers(Role.OPS, subject="ops-1")


async def job_status(flow: Flow, job_id: str) -> str:
    return str(ok(await flow.client.get(f"/v1/service-jobs/{job_id}", headers=flow.me))["status"])


async def test_a_new_job_expires_once_the_clock_is_moved_25_hours(
    flow: Flow, claims: ServiceContext
) -> None:
    job = (await flow.request_service())["jobs"][0]["id"]
    before = ok(await flow.client.get(CLOCK, headers=ops(flow.actors)))

    moved = ok(await flow.client.post(CLOCK, json={"advance_seconds": HOURS_25},
                                      headers=ops(flow.actors)))
    assert moved["offset_seconds"] == before["offset_seconds"] + HOURS_25
    # A job created after the move is stamped on the moved clock: it is not 25 h old.
    fresh = (await flow.request_service())["jobs"][0]["id"]
    assert await expire_due_jobs(claims) >= 1

    assert (await job_status(flow, job), await job_status(flow, fresh)) == ("expired", "new")


async def test_another_process_reads_the_offset_the_api_wrote(
    flow: Flow, claims: ServiceContext
) -> None:
    moved = ok(await flow.client.post(CLOCK, json={"advance_seconds": 60},
                                      headers=ops(flow.actors)))
    worker_clock = ServiceClock()  # what a worker process starts with: no offset
    now = await synced(worker_clock, claims.sessions)
    assert worker_clock.offset_seconds == moved["offset_seconds"]
    shown = ok(await flow.client.get(CLOCK, headers=ops(flow.actors)))
    assert shown["offset_seconds"] == moved["offset_seconds"]
    assert abs((now - datetime.fromisoformat(shown["now"])).total_seconds()) < 60


@pytest.mark.parametrize("body", [
    {"advance_seconds": -1}, {"advance_seconds": 0},
    {"advance_seconds": MAX_ADVANCE_SECONDS + 1}, {"advance_seconds": 10**30},
    {"advance_seconds": 1.5}, {"advance_seconds": "60"}, {"advance_seconds": True}, {},
    {"advance_seconds": 60, "reset": True},
])
async def test_a_move_must_be_a_bounded_whole_number_of_seconds_forward(
    client: httpx.AsyncClient, actors: Actors, body: dict[str, Any]
) -> None:
    before = ok(await client.get(CLOCK, headers=ops(actors)))["offset_seconds"]
    problem(await client.post(CLOCK, json=body, headers=ops(actors)), 422, "validation-error")
    assert ok(await client.get(CLOCK, headers=ops(actors)))["offset_seconds"] == before


async def test_only_operators_read_or_move_the_clock(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    body = {"advance_seconds": 60}
    for headers in (actors.customer("cust-clock"), actors.agent, actors.support):
        problem(await client.post(CLOCK, json=body, headers=headers), 403, "forbidden")
        problem(await client.get(CLOCK, headers=headers), 403, "forbidden")
    problem(await client.post(CLOCK, json=body), 401, "unauthenticated")


@pytest.fixture
async def production_client(claims_settings: ClaimsSettings) -> AsyncIterator[httpx.AsyncClient]:
    settings = claims_settings.model_copy(update={"environment": "production"})
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://claims.test"
    ) as http:
        yield http


async def test_production_has_no_clock_route(
    production_client: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors
) -> None:
    problem(await production_client.post(CLOCK, json={"advance_seconds": 60},
                                         headers=ops(actors)), 404, "not-found")
    problem(await production_client.get(CLOCK, headers=ops(actors)), 404, "not-found")
    assert CLOCK not in ok(await production_client.get("/openapi.json"))["paths"]
    assert CLOCK in ok(await client.get("/openapi.json"))["paths"]  # where it is mounted
