"""Regression (issue 17, item 2d): ``created_from=0001-01-01T00:00:00+14:00`` is a valid
ISO 8601 instant that falls before year 1 in UTC: converting it raised OverflowError, a 500.
Date-time query parameters are one shared type (``shared.instants.Instant``): aware, and within
years 1..9999 once in UTC; anything else is a 422 problem."""

from __future__ import annotations

import httpx
import pytest

from services.payouts.settings import PayoutsSettings
from shared.auth import Role
from tests.integration.security.conftest import assert_problem, bearer

REFUSED = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-01-01T00:00:00",
           "2026-13-01T00:00:00Z", "yesterday", "1e30"]


@pytest.mark.parametrize("name", ["created_from", "created_to"])
@pytest.mark.parametrize("value", REFUSED)
async def test_out_of_range_or_naive_instants_are_refused(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], name: str, value: str,
) -> None:
    client, settings = payouts
    response = await client.get("/v1/payouts", params={name: value},
                                headers=bearer(settings, Role.PAYABLES))
    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00-14:00",
                                   "9999-12-31T09:59:59+14:00", "2026-01-01T00:00:00+05:30"])
async def test_instants_at_the_edges_are_searched(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings], value: str,
) -> None:
    client, settings = payouts
    response = await client.get("/v1/payouts", params={"created_from": value},
                                headers=bearer(settings, Role.PAYABLES))
    assert response.status_code == 200, response.text
