"""The Zelle and check rails, Concourse invitations that expire or bounce, and the HTTP-driven
clock."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from services.sandbox.gp_answers import new_york_today

from .conftest import (
    CHECK_CALLBACK_URL,
    CONCOURSE,
    CONCOURSE_STATUS,
    Harness,
    callback_items,
    e2e_id,
    payment_body,
)

ZELLE = "/tsapi/v1/payments"
CHECKS = "/check/v1/checks"
ADDRESS = {"line1": "12 Elm St", "city": "Springfield", "state": "IL", "zip": "62701"}


def zelle_body(eid: str, amount: float = 180.00, recipient: str = "pat@fixit-pros.net",
               scheme: str = "EMAL") -> dict[str, Any]:
    """A US Zelle payment as J.P. Morgan Global Payments v1 specifies it."""
    return {"payments": {
        "paymentIdentifiers": {"endToEndId": eid},
        "requestedExecutionDate": new_york_today().isoformat(),
        "transferType": "CREDIT", "paymentCurrency": "USD", "paymentAmount": amount,
        "debtor": {"debtorAccount": {"accountId": "000009102574986", "accountType": "DDA"}},
        "debtorAgent": {"financialInstitutionId": {"bic": "CHASUS33"}},
        "creditor": {"creditorName": "Pat Pro", "creditorAccount": {
            "alternateAccountIdentifier": recipient, "accountType": "ZELLE",
            "schemeName": {"proprietary": scheme}}},
    }}


def check_body(eid: str, name: str = "Jane Doe", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "endToEndId": eid, "amount": "250.00", "currency": "USD",
        "payee": {"name": name, "address": ADDRESS}, "memo": "Claim credit C-1",
        "callbackUrl": CHECK_CALLBACK_URL,
    }
    body.update(overrides)
    return body


async def advance(harness: Harness, days: int) -> None:
    response = await harness.client.post("/sandbox/clock/advance", json={"days": days})
    assert response.status_code == 200, response.text
    await harness.sandbox.settler.idle()


async def check_status(harness: Harness, eid: str) -> dict[str, Any]:
    response = await harness.client.get(f"{CHECKS}/status", params={"endToEndId": eid})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def callback_statuses(harness: Harness, eid: str) -> list[str]:
    events = [json.loads(r.content) for r in harness.receiver.requests]
    return [e["status"] for e in events if e["endToEndId"] == eid]


async def settle(harness: Harness) -> None:
    for _ in range(50):
        await harness.sandbox.ticker.tick()
        await harness.sandbox.settler.idle()
        await asyncio.sleep(0.01)


async def test_zelle_to_an_enrolled_recipient_completes_the_same_day(harness: Harness) -> None:
    eid = e2e_id()
    created = await harness.client.post(ZELLE, json=zelle_body(eid))
    assert created.status_code == 202
    answer = created.json()["paymentInitiationResponse"]
    assert answer["endToEndId"] == eid and answer["firmRootId"]
    again = await harness.client.post(ZELLE, json=zelle_body(eid))  # a repeat: the same 202
    assert (again.status_code, again.json()) == (202, created.json())
    await settle(harness)

    status = (await harness.client.get(f"{ZELLE}/status", params={"endToEndId": eid})).json()
    assert status["paymentStatus"]["status"] == "COMPLETED"
    assert "exception" not in status["paymentStatus"]
    assert jpm_callback_statuses(harness, eid) == ["COMPLETED"]
    assert harness.receiver.requests[-1].url.path == "/v1/callbacks/jpm/status"
    [entry] = (await harness.client.get("/ledger", params={"rail": "zelle"})).json()["payments"]
    assert entry["settled"] is True and entry["payeeEmail"] == "pat@fixit-pros.net"


def jpm_callback_statuses(harness: Harness, eid: str) -> list[str]:
    items = [item for r in harness.receiver.requests
             for item in json.loads(r.content).get("callbacks", [])]
    return [i["paymentStatus"] for i in items if i["endToEndId"] == eid]


async def test_zelle_recipient_not_enrolled_is_rejected_with_an_iso_code(
    harness: Harness,
) -> None:
    await harness.client.put("/sandbox/payees", json={"identifier": "+15555550123",
                                                      "zelle_enrolled": False})
    eid = e2e_id()
    body = zelle_body(eid, recipient="+15555550123", scheme="TELI")
    assert (await harness.client.post(ZELLE, json=body)).status_code == 202
    await settle(harness)

    status = (await harness.client.get(f"{ZELLE}/status", params={"endToEndId": eid})).json()
    assert status["paymentStatus"]["status"] == "REJECTED"
    [exception] = status["paymentStatus"]["exception"]
    assert exception["externalCode"] == "BE23" and exception["errorCode"] == "11000"
    [item] = json.loads(harness.receiver.requests[-1].content)["callbacks"]
    assert item["paymentStatus"] == "REJECTED" and item["exceptions"] == [exception]


async def test_zelle_limits_and_refusals_use_the_specs_error_envelope(harness: Harness) -> None:
    too_much = await harness.client.post(ZELLE, json=zelle_body(e2e_id(), amount=100000.01))
    assert too_much.status_code == 400
    assert too_much.json()["errors"]["errorDetails"][0]["errorCode"] == "10001"
    bad_mobile = zelle_body(e2e_id(), recipient="5555550123", scheme="TELI")
    assert (await harness.client.post(ZELLE, json=bad_mobile)).status_code == 400
    no_creditor = zelle_body(e2e_id())
    del no_creditor["payments"]["creditor"]
    refused = await harness.client.post(ZELLE, json=no_creditor)
    assert refused.status_code == 400 and "creditor" in refused.text
    assert refused.json()["errors"]["endToEndId"] == no_creditor["payments"][
        "paymentIdentifiers"]["endToEndId"]
    created = await harness.client.post(ZELLE, json=zelle_body(e2e_id(), amount=100000.00))
    assert created.status_code == 202
    unknown = await harness.client.get(f"{ZELLE}/status", params={"endToEndId": "NEVERSEEN"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["errorDetails"][0]["errorCode"] == "10009"


async def test_check_lives_created_mailed_in_transit_delivered_cashed(harness: Harness) -> None:
    eid = e2e_id()
    created = (await harness.client.post(CHECKS, json=check_body(eid))).json()
    assert created["status"] == "CREATED" and created["checkNumber"] > 0

    await advance(harness, 15)

    status = await check_status(harness, eid)
    assert status["status"] == "CASHED" and status["mailedAt"] and status["cashedAt"]
    assert callback_statuses(harness, eid) == ["MAILED", "IN_TRANSIT", "DELIVERED", "CASHED"]
    [entry] = (await harness.client.get("/ledger", params={"rail": "check"})).json()["payments"]
    assert entry["settled"] is True and entry["payeeAddress"]["zip"] == "62701"
    assert entry["payeeEmail"] == ""


async def test_check_returned_to_sender(harness: Harness) -> None:
    await harness.client.put("/sandbox/payees", json={"identifier": "Moved Away",
                                                      "check": "return_to_sender"})
    eid = e2e_id()
    await harness.client.post(CHECKS, json=check_body(eid, name="Moved Away"))
    await advance(harness, 10)
    status = await check_status(harness, eid)
    assert status["status"] == "RETURNED_TO_SENDER" and status["reasonCode"] == "RTS1"


async def test_uncashed_check_is_stopped_as_stale_after_14_days(harness: Harness) -> None:
    await harness.client.put("/sandbox/payees", json={"identifier": "Never Cashes",
                                                      "check": "never_cash"})
    eid = e2e_id()
    await harness.client.post(CHECKS, json=check_body(eid, name="Never Cashes"))
    await advance(harness, 14)
    assert (await check_status(harness, eid))["status"] == "DELIVERED"
    await advance(harness, 1)
    status = await check_status(harness, eid)
    assert status["status"] == "STOPPED" and status["reasonCode"] == "STAL"


async def test_void_only_before_mailing_stop_only_after(harness: Harness) -> None:
    unmailed, mailed = e2e_id(), e2e_id()
    await harness.client.post(CHECKS, json=check_body(unmailed))
    assert (await harness.client.post(f"{CHECKS}/{unmailed}/stop")).status_code == 409
    voided = await harness.client.post(f"{CHECKS}/{unmailed}/void")
    assert voided.status_code == 200 and voided.json()["status"] == "VOIDED"
    assert (await harness.client.post(f"{CHECKS}/{unmailed}/void")).status_code == 200

    await harness.client.post(CHECKS, json=check_body(mailed))
    await advance(harness, 2)
    refused = await harness.client.post(f"{CHECKS}/{mailed}/void")
    assert refused.status_code == 409 and refused.json()["checkStatus"] == "IN_TRANSIT"
    stopped = await harness.client.post(f"{CHECKS}/{mailed}/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] == "STOPPED"

    await advance(harness, 30)  # a stopped or voided check never gets cashed
    assert (await check_status(harness, mailed))["status"] == "STOPPED"
    assert (await check_status(harness, unmailed))["status"] == "VOIDED"
    ledger = (await harness.client.get("/ledger")).json()["payments"]
    assert not any(entry["settled"] for entry in ledger)


async def test_check_limits(harness: Harness) -> None:
    assert (await harness.client.post(
        CHECKS, json=check_body(e2e_id(), amount="1000000.00"))).status_code == 422
    assert (await harness.client.post(
        CHECKS, json=check_body(e2e_id(), memo="x" * 41))).status_code == 422
    bad_zip = check_body(e2e_id(), payee={"name": "J", "address": {**ADDRESS, "zip": "1"}})
    assert (await harness.client.post(CHECKS, json=bad_zip)).status_code == 422


async def concourse_status(harness: Harness, eid: str) -> dict[str, Any]:
    response = await harness.client.get(CONCOURSE_STATUS, params={"endToEndId": eid})
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()["paymentStatus"]
    return status


async def test_an_unclaimed_concourse_invitation_expires_after_n_days_unpaid(
    harness: Harness,
) -> None:
    await harness.client.put("/sandbox/payees", json={"identifier": "jane.doe@example.com",
                                                      "concourse": "never_register"})
    eid = e2e_id()
    await harness.client.post(CONCOURSE, json=payment_body(eid))
    await settle(harness)
    assert (await concourse_status(harness, eid))["status"] == "INVITED"
    await advance(harness, 6)
    assert (await concourse_status(harness, eid))["status"] == "INVITED"
    assert callback_items(harness, eid) == []

    await advance(harness, 1)  # SANDBOX_CONCOURSE_UNCLAIMED_DAYS: 7 by the sandbox clock
    status = await concourse_status(harness, eid)
    assert status["status"] == "INVITATION_EXPIRED"
    [exception] = status["exception"]
    assert exception["externalCode"] == "NOAS"
    [item] = callback_items(harness, eid)
    assert item["paymentStatus"] == "INVITATION_EXPIRED" and item["exceptions"] == [exception]
    # The bank mails no check of its own: the fallback is the payer's (a new check payment).
    await advance(harness, 30)
    [entry] = (await harness.client.get("/ledger")).json()["payments"]
    assert (entry["settled"], entry["reasonCode"]) == (False, "NOAS")
    assert entry["method"] != "CHECK"


async def test_a_resent_invitation_restarts_the_unclaimed_clock(harness: Harness) -> None:
    await harness.client.put("/sandbox/payees", json={"identifier": "jane.doe@example.com",
                                                      "concourse": "never_register"})
    eid = e2e_id()
    await harness.client.post(CONCOURSE, json=payment_body(eid))
    await advance(harness, 5)
    assert (await harness.client.post(f"{CONCOURSE}/{eid}/invitation")).status_code == 200
    await advance(harness, 5)  # 10 days since the first email, 5 since the second
    assert (await concourse_status(harness, eid))["status"] == "INVITED"
    await advance(harness, 2)
    assert (await concourse_status(harness, eid))["status"] == "INVITATION_EXPIRED"


async def test_a_bounced_concourse_invitation_ends_unpaid_with_be23(harness: Harness) -> None:
    await harness.client.put("/sandbox/payees", json={"identifier": "nobody@example.com",
                                                      "concourse": "bounce"})
    eid = e2e_id()
    await harness.client.post(CONCOURSE, json=payment_body(eid, email="nobody@example.com"))
    await settle(harness)

    status = await concourse_status(harness, eid)
    assert status["status"] == "INVITATION_BOUNCED"
    assert [e["externalCode"] for e in status["exception"]] == ["BE23"]
    assert [i["paymentStatus"] for i in callback_items(harness, eid)] == ["INVITATION_BOUNCED"]
    [entry] = (await harness.client.get("/ledger")).json()["payments"]
    assert entry["settled"] is False


async def test_reorder_callbacks_fault_sends_newest_first(harness: Harness) -> None:
    await harness.client.put("/sandbox/faults", json={"reorder_callbacks": True})
    eid = e2e_id()
    await harness.client.post(CHECKS, json=check_body(eid))
    await advance(harness, 15)
    assert callback_statuses(harness, eid) == ["CASHED", "DELIVERED", "IN_TRANSIT", "MAILED"]


async def test_reset_puts_the_clock_back(harness: Harness) -> None:
    await advance(harness, 3)
    assert (await harness.client.get("/sandbox/clock")).json()["offset_s"] == 3 * 86400
    await harness.client.post("/sandbox/reset")
    assert (await harness.client.get("/sandbox/clock")).json()["offset_s"] == 0


async def test_fail_status_next_refuses_status_queries_only(harness: Harness) -> None:
    eid = e2e_id()
    await harness.client.post(CHECKS, json=check_body(eid))
    await harness.client.put("/sandbox/faults", json={"fail_status_next": 1})
    params = {"endToEndId": eid}
    assert (await harness.client.get(f"{CHECKS}/status", params=params)).status_code == 503
    assert (await harness.client.get(f"{CHECKS}/status", params=params)).status_code == 200
