"""The list's filters and cursor, the Zelle 24-hour promise, reconciliation with the ledger,
and PII kept out of the logs."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

from services.payouts.adapters.ledger import fetch_ledger
from services.payouts.service.context import utcnow
from services.payouts.service.dispatch import dispatch_once
from services.payouts.service.reconcile import run_reconciliation
from services.payouts.service.sla import sla_once
from shared.logging import JsonFormatter
from shared.messaging.contracts import PayoutSlaBreachedV1
from shared.messaging.contracts import Rail as R
from tests.bank_tokens import authorize

from .conftest import ADDRESS, SANDBOX_BASE, World, command, customer_by_check, pro
from .helpers import CONCOURSE_PAYMENTS, concourse_body, payouts


def _breaches(rail: str) -> float:
    """The counter's value, read through the registry's public API."""
    return REGISTRY.get_sample_value("payouts_sla_breaches_total", {"rail": rail}) or 0.0


async def listed(world: World, **params: Any) -> dict[str, Any]:
    response = await world.api.get("/v1/payouts", params=params,
                                   headers=world.token("payables"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_list_filters_by_status_rail_payee_claim_and_date(world: World) -> None:
    zelle = command(rail=R.ZELLE, payee=pro())
    check = command(rail=R.CHECK, payee=customer_by_check("Filter Payee"))
    await world.request(zelle)
    await world.request(check)
    await world.request(command(email="noemail@gmail.com"))  # failed

    assert len((await listed(world))["items"]) == 3
    assert [i["rail"] for i in (await listed(world, rail="check"))["items"]] == ["check"]
    assert [i["status"] for i in (await listed(world, status="failed"))["items"]] == ["failed"]
    [by_payee] = (await listed(world, payee="PAT@fixit-pros.net"))["items"]
    assert by_payee["payout_key"] == zelle.payout_key
    [by_name] = (await listed(world, payee="filter payee"))["items"]
    assert by_name["payee"]["address"] == "Springfield, IL 62701"
    [by_claim] = (await listed(world, claim_id=check.source.claim_id))["items"]
    assert by_claim["payout_key"] == check.payout_key
    future = (utcnow() + timedelta(hours=1)).isoformat()
    assert (await listed(world, created_from=future))["items"] == []
    assert len((await listed(world, created_to=future))["items"]) == 3


async def test_cursor_pages_through_everything_once(world: World) -> None:
    for _ in range(5):
        await world.request(command())
    seen: list[str] = []
    page = await listed(world, limit=2)
    while True:
        seen += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        page = await listed(world, limit=2, cursor=page["next_cursor"])
    assert len(seen) == len(set(seen)) == 5
    bad = await world.api.get("/v1/payouts", params={"cursor": "not-a-cursor"},
                              headers=world.token("payables"))
    assert bad.status_code == 400


async def test_zelle_promise_to_a_pro_breaches_once_and_shows_at_risk(world: World) -> None:
    await world.payee(identifier="pat@fixit-pros.net", zelle_enrolled=False)
    await world.request(command(rail=R.ZELLE, payee=pro(address=ADDRESS)))  # falls back: slow
    await world.request(command(rail=R.CONCOURSE))  # no promise
    await dispatch_once(world.deps)
    await world.settle()

    risk = await world.api.get("/v1/payouts/at-risk", headers=world.token("ops"))
    assert risk.json()["items"] == []  # 24 h left, nothing near the deadline
    await world.move_clock(hours=25)
    before = _breaches("check")

    assert await sla_once(world.deps) == 1
    assert await sla_once(world.deps) == 0  # announced once
    [breach] = await world.outbox(PayoutSlaBreachedV1.TYPE)
    assert breach["status"] == "approved" and breach["rail"] == "check"
    assert _breaches("check") == before + 1
    [item] = (await world.api.get("/v1/payouts/at-risk",
                                  headers=world.token("ops"))).json()["items"]
    assert item["breached"] is True and item["hours_left"] < 0
    assert item["sla_breached_at"] is not None


async def test_reconciliation_is_clean_then_reports_every_kind_of_mismatch(world: World) -> None:
    await world.request(command(rail=R.ZELLE, payee=pro(), amount="50.00"))
    await world.request(command(rail=R.CHECK, payee=customer_by_check(), amount="60.00"))
    await world.request(command(amount="70.00"))
    await dispatch_once(world.deps)
    await world.settle()
    await world.advance(15)
    assert await world.bank_pass() == 1  # the cashed check is paid by the bank's report
    world.app.state.ledger_client = world.sandbox_http

    response = await world.api.get("/v1/reconciliation", headers=world.token("payables"))
    assert response.status_code == 200, response.text
    assert response.json()["clean"] is True and response.json()["attempts"] == 3

    [zelle] = await world.sql("SELECT id FROM payout_attempts WHERE rail = 'zelle'")
    await world.sql("UPDATE payout_attempts SET amount = 51.00 WHERE id = :i", i=zelle.id)
    await world.sql("UPDATE payouts SET payee = jsonb_set(payee, '{name}', '\"Someone Else\"')"
                    " WHERE rail = 'check'")
    [concourse] = await world.sql("SELECT id FROM payout_attempts WHERE rail = 'concourse'")
    await world.sql("UPDATE payout_attempts SET status = 'paid' WHERE id = :i", i=concourse.id)
    stranger = concourse_body("STRANGER00000001", amount="5.00", name="X",
                              email="x@fixit-pros.net")
    await authorize(world.sandbox_http)  # a caller of the bank's API other than ours
    assert (await world.sandbox_http.post(CONCOURSE_PAYMENTS, json=stranger)).is_success

    report = await run_reconciliation(
        world.deps, lambda: fetch_ledger(f"{SANDBOX_BASE}/ledger", world.sandbox_http))
    kinds = sorted(m.kind.value for m in report.mismatches)
    assert kinds == ["amount_different", "extra", "payee_different", "status_different"]


async def test_pii_never_reaches_the_logs(world: World,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await world.payee(identifier="+15555550123", zelle_enrolled=False)
    secrets = ["pat.private@fixit-pros.net", "+15555550123", "12 Elm St", "62701",
               "jane.private@gmail.com", "+15555550100"]
    await world.request(command(rail=R.ZELLE, payee=pro(email=None, mobile="+15555550123",
                                                        address=ADDRESS)))
    await world.request(command(rail=R.ZELLE, payee=pro(email="pat.private@fixit-pros.net")))
    await world.request(command(email="jane.private@gmail.com"))
    await world.request(command(email="noemail@gmail.com"))
    for _ in range(2):
        await dispatch_once(world.deps)
        await world.settle()
    await world.advance(15)
    assert {p.status for p in await payouts(world)} >= {"paid", "failed"}

    formatter = JsonFormatter("payouts")
    lines = [formatter.format(record) for record in caplog.records]
    assert len(lines) > 20  # the flows did log
    leaked = [(s, line) for line in lines for s in secrets if s in line]
    assert leaked == []
