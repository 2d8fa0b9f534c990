"""The read API: roles, masking, history and attempts, search; the audit trail is append-only."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.exc import DBAPIError

from services.payouts.service.dispatch import dispatch_once

from .conftest import World, command
from .helpers import payouts


async def test_payout_detail_has_history_attempts_and_masked_payee(world: World) -> None:
    request = command()
    await world.request(request)
    await dispatch_once(world.deps)
    await world.sandbox_http.post("/sandbox/release")
    await world.sandbox.settler.idle()  # the signed callback reaches the payouts app
    [payout] = await payouts(world)

    response = await world.api.get(f"/v1/payouts/{payout.id}", headers=world.token("payables"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "paid" and body["amount"] == "125.00"
    assert body["payee"] == {"kind": "customer", "name": "Jane Doe", "email": "j***@gmail.com",
                             "mobile": "********0100", "zelle_token": None, "address": None}
    assert "jane.doe" not in response.text and "5555550100" not in response.text
    assert [h["to_status"] for h in body["history"]] == ["received", "approved", "submitted",
                                                         "paid"]
    assert body["history"][-1]["actor"] == "concourse-callback"
    [attempt] = body["attempts"]
    assert attempt["status"] == "paid" and uuid.UUID(attempt["provider_reference"])  # firmRootId
    assert body["history"][-1]["attempt_id"] == attempt["id"]


async def test_search_by_key_and_status(world: World) -> None:
    first, second = command(), command(email="none@gmail.com")
    await world.request(first)
    await world.request(second)
    headers = world.token("ops")

    by_key = await world.api.get("/v1/payouts", params={"payout_key": first.payout_key},
                                 headers=headers)
    assert [p["payout_key"] for p in by_key.json()["items"]] == [first.payout_key]
    failed = await world.api.get("/v1/payouts", params={"status": "failed"}, headers=headers)
    assert [p["payout_key"] for p in failed.json()["items"]] == [second.payout_key]
    both = await world.api.get("/v1/payouts", params={"limit": 5}, headers=headers)
    assert len(both.json()["items"]) == 2
    bad = await world.api.get("/v1/payouts", params={"status": "nope"}, headers=headers)
    assert bad.status_code == 422


@pytest.mark.parametrize(("roles", "status"), [((), 401), (("customer",), 403),
                                               (("agent",), 403), (("support_services",), 404),
                                               (("service",), 404)])
async def test_roles(world: World, roles: tuple[str, ...], status: int) -> None:
    headers = world.token(*roles, customer_id="cust-1") if roles else {}
    response = await world.api.get(f"/v1/payouts/{uuid.uuid4()}", headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


async def test_openapi_documents_routes(world: World) -> None:
    spec = (await world.api.get("/openapi.json")).json()
    for path in ("/v1/payouts/{payout_id}", "/v1/payouts", "/v1/callbacks/concourse/status"):
        operation = next(iter(spec["paths"][path].values()))
        assert operation["summary"] and operation["tags"]
    callback = spec["paths"]["/v1/callbacks/concourse/status"]["post"]
    assert "example" in callback["requestBody"]["content"]["application/json"]


async def test_status_history_is_append_only(world: World) -> None:
    await world.request(command())
    with pytest.raises(DBAPIError, match="append-only"):
        await world.sql("UPDATE payout_status_history SET reason = 'rewritten'")
    with pytest.raises(DBAPIError, match="append-only"):
        await world.sql("DELETE FROM payout_status_history")
