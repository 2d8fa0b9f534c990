"""``GET``/``POST /v1/ops/clock``: read and move a service's clock (development and test only).

A service mounts this router only when its settings are not production (``clock_routes``), so a
production API answers 404 and its OpenAPI document does not list the routes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import Principal, Role
from shared.auth.fastapi import require
from shared.clock import (
    MAX_ADVANCE_SECONDS,
    MAX_OFFSET_SECONDS,
    ClockLimitError,
    ClockReading,
    ServiceClock,
    adjustable,
    advance,
    synced,
)
from shared.problems import ProblemError, problem_responses
from shared.settings import PlatformSettings

TAG = "ops clock"
Operator = Annotated[Principal, Depends(require(Role.OPS))]
ClockOf = Callable[[Request], ServiceClock]


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"advance_seconds": 90000}]})

    # strict: 1.5, "60" and true are not a number of seconds.
    advance_seconds: int = Field(
        strict=True, ge=1, le=MAX_ADVANCE_SECONDS,
        description=f"How far to move the clock forward, 1..{MAX_ADVANCE_SECONDS} seconds "
        "(a year). The clock never moves back.",
        examples=[90000])


class ClockView(BaseModel):
    now: datetime = Field(description="The service's now: the wall clock plus the offset.",
                          examples=["2026-01-06T11:00:00Z"])
    offset_seconds: int = Field(description="How far ahead of the wall clock the service runs.",
                                examples=[90000])

    @classmethod
    def of(cls, reading: ClockReading) -> ClockView:
        return cls(now=reading.now, offset_seconds=reading.offset_seconds)


def clock_router(clock_of: ClockOf) -> APIRouter:
    """The routes over the clock ``clock_of(request)`` returns, in ``app.state.sessionmaker``'s
    database."""
    router = APIRouter(prefix="/v1/ops/clock", tags=[TAG])

    def sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
        return request.app.state.sessionmaker  # type: ignore[no-any-return]

    @router.get(
        "",
        summary="The service clock (development and test only)",
        description="The service's now and how far ahead of real time it runs, as every "
        "process of the service reads it. Not mounted in production.",
        response_model=ClockView,
        responses=problem_responses(401, 403, 422),
    )
    async def get_clock(request: Request, _: Operator) -> ClockView:
        clock = clock_of(request)
        await synced(clock, sessionmaker(request))
        return ClockView.of(clock.reading())

    @router.post(
        "",
        summary="Move the service clock forward (development and test only)",
        description="Adds `advance_seconds` to the offset every process of this service adds "
        "to the wall clock (its API and worker within a second; its timers at their next "
        "pass): e.g. 90000 (25 h) makes a New service job or a Zelle payout overdue. The "
        f"clock never moves back and runs at most {MAX_OFFSET_SECONDS} s ahead (409 past "
        "that). Not mounted in production.",
        response_model=ClockView,
        responses=problem_responses(401, 403, 409, 422),
    )
    async def advance_clock(body: ClockAdvance, request: Request, _: Operator) -> ClockView:
        try:
            reading = await advance(clock_of(request), sessionmaker(request),
                                    body.advance_seconds)
        except ClockLimitError as exc:
            raise ProblemError(409, "clock-limit", "Clock would run too far ahead",
                               str(exc)) from exc
        return ClockView.of(reading)

    return router


def clock_routes(settings: PlatformSettings, clock_of: ClockOf) -> list[APIRouter]:
    """The clock routes to mount: none in production (the route does not exist there)."""
    return [clock_router(clock_of)] if adjustable(settings) else []


def clock_tags(settings: PlatformSettings) -> list[dict[str, str]]:
    """The OpenAPI tag of the clock routes, where they are mounted."""
    if not adjustable(settings):
        return []
    return [{"name": TAG, "description": "Development and test only: read and move the "
             "service clock (job expiry, payout deadlines). Absent in production."}]
