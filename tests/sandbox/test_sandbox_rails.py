"""The Zelle and check rails, Concourse invitations that expire or bounce, and the HTTP-driven
clock."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
from datetime import date
from typing import Any

from services.payouts.rails.lob_checks import positive_pay as pp
from shared.money import Money

from .conftest import (
    CONCOURSE,
    CONCOURSE_STATUS,
    Harness,
    callback_items,
    e2e_id,
    gp_payments,
    payment_body,
)

ZELLE = "/tsapi/v1/payments"
CHECKS = "/v1/checks"  # Lob's path
ADDRESS = {"address_line1": "12 Elm St", "address_city": "Springfield", "address_state": "IL",
           "address_zip": "62701"}
RETURN_ADDRESS = {"company": "Homeward Warranty Co", "address_line1": "100 N Riverside Plaza",
                  "address_city": "Chicago", "address_state": "IL", "address_zip": "60606"}
ACCOUNT = "000123456789"  # our account at the bank, as the positive-pay records carry it
_numbers = itertools.count(20001)


def zelle_body(eid: str, amount: float = 180.00, recipient: str = "pat@fixit-pros.net",
               scheme: str = "EMAL") -> dict[str, Any]:
    """A US Zelle payment as J.P. Morgan Global Payments v1 specifies it."""
    return {"payments": gp_payments(eid, amount, {
        "creditorName": "Pat Pro", "creditorAccount": {
            "alternateAccountIdentifier": recipient, "accountType": "ZELLE",
            "schemeName": {"proprietary": scheme}}})}


def check_body(eid: str, name: str = "Jane Doe", amount: float = 250.00,
               **overrides: Any) -> dict[str, Any]:
    """A check as Lob's ``POST /v1/checks`` takes it, numbered by us, the issuer."""
    body: dict[str, Any] = {
        "to": {"name": name, **ADDRESS}, "from": RETURN_ADDRESS,
        "bank_account": "bank_8cad8df5354d33f", "amount": amount,
        "check_number": next(_numbers), "memo": "Claim credit C-1",
        "metadata": {"end_to_end_id": eid},
    }
    body.update(overrides)
    return body


async def issue(harness: Harness, body: dict[str, Any], *, void: bool = False) -> None:
    """The positive-pay issue record of ``body``'s check, as the payouts client uploads it."""
    record = pp.IssueRecord(ACCOUNT, body["check_number"], Money.of(f"{body['amount']:.2f}"),
                            date.today(), body["to"]["name"], void)
    response = await harness.client.post("/positive-pay/v1/issues",
                                         content=pp.issue_file([record]).encode(),
                                         headers={"Content-Type": pp.MEDIA_TYPE})
    assert response.status_code == 200, response.text


async def create(harness: Harness, body: dict[str, Any], *, issued: bool = True,
                 ) -> dict[str, Any]:
    if issued:
        await issue(harness, body)
    response = await harness.client.post(
        CHECKS, json=body, headers={"Idempotency-Key": body["metadata"]["end_to_end_id"]})
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def advance(harness: Harness, days: int) -> None:
    response = await harness.client.post("/sandbox/clock/advance", json={"days": days})
    assert response.status_code == 200, response.text
    await harness.sandbox.settler.idle()


async def lob_check(harness: Harness, eid: str) -> dict[str, Any]:
    """Lob's check object, found by our metadata as the payouts client finds it."""
    response = await harness.client.get(CHECKS, params={"metadata[end_to_end_id]": eid})
    assert response.status_code == 200, response.text
    [check] = response.json()["data"]
    assert isinstance(check, dict)
    return check


def tracking(check: dict[str, Any]) -> list[str]:
    return [event["name"] for event in check["tracking_events"]]


def lob_events(harness: Harness, chk_id: str) -> list[str]:
    events = [json.loads(r.content) for r in harness.receiver.requests]
    return [e["event_type"]["id"] for e in events
            if e.get("object") == "event" and e["reference_id"] == chk_id]


def callback_statuses(harness: Harness, eid: str) -> list[str]:
    events = [json.loads(r.content) for r in harness.receiver.requests]
    return [e["status"] for e in events if e.get("endToEndId") == eid]


async def bank_report(harness: Harness, report: str) -> list[dict[str, str]]:
    params = {"account_number": ACCOUNT}
    if report == "paid-items":
        params["since"] = "2000-01-01"
    response = await harness.client.get(f"/positive-pay/v1/{report}", params=params)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


async def behave(harness: Harness, identifier: str, **behaviour: Any) -> None:
    """The payee named by ``identifier`` behaves so from now on (``PUT /sandbox/payees``)."""
    await harness.client.put("/sandbox/payees", json={"identifier": identifier, **behaviour})


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
    await behave(harness, "+15555550123", zelle_enrolled=False)
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


async def test_check_lives_created_mailed_in_transit_delivered_then_paid_by_the_bank(
    harness: Harness,
) -> None:
    eid = e2e_id()
    body = check_body(eid)
    created = await create(harness, body)
    assert created["check_number"] == body["check_number"] and tracking(created) == []
    again = await create(harness, body)  # Lob: the same Idempotency-Key, the same check
    assert again["id"] == created["id"]

    await advance(harness, 15)

    check = await lob_check(harness, eid)
    assert tracking(check) == ["Mailed", "In Transit", "Delivered"]
    # Lob tells the mail's progress, never payment: that is the bank's paid-items report.
    assert lob_events(harness, created["id"]) == [
        "check.mailed", "check.in_transit", "check.delivered"]
    [paid] = await bank_report(harness, "paid-items")
    assert (paid["check_number"], paid["amount"]) == (str(body["check_number"]), "250.00")
    [entry] = (await harness.client.get("/ledger", params={"rail": "check"})).json()["payments"]
    assert entry["settled"] is True and entry["payeeAddress"]["zip"] == "62701"


async def test_check_returned_to_sender(harness: Harness) -> None:
    await behave(harness, "Moved Away", check="return_to_sender")
    eid = e2e_id()
    created = await create(harness, check_body(eid, name="Moved Away"))
    await advance(harness, 10)
    assert tracking(await lob_check(harness, eid))[-1] == "Returned to Sender"
    assert lob_events(harness, created["id"])[-1] == "check.returned_to_sender"
    assert await bank_report(harness, "paid-items") == []


async def test_an_uncashed_check_stays_delivered_until_the_issuer_stops_it(
    harness: Harness,
) -> None:
    await behave(harness, "Never Cashes", check="never_cash")
    eid = e2e_id()
    body = check_body(eid, name="Never Cashes")
    await create(harness, body)
    await advance(harness, 30)  # the bank does not stop stale checks: the issuer decides
    assert tracking(await lob_check(harness, eid))[-1] == "Delivered"
    stop = {"account_number": ACCOUNT, "check_number": body["check_number"],
            "amount": "250.00"}
    placed = await harness.client.post("/positive-pay/v1/stop-payments", json=stop)
    assert placed.status_code == 200 and placed.json()["status"] == "placed"
    today = harness.sandbox.clock.now().date()
    assert (date.fromisoformat(placed.json()["expires_on"]) - today).days == 180
    again = await harness.client.post("/positive-pay/v1/stop-payments", json=stop)
    assert again.json() == placed.json()  # a repeat: the same stop


async def test_cancel_only_before_the_send_date_and_stop_payment_after(
    harness: Harness,
) -> None:
    unmailed, mailed = check_body(e2e_id()), check_body(e2e_id())
    first = await create(harness, unmailed)
    deleted = await harness.client.delete(f"{CHECKS}/{first['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"id": first["id"], "deleted": True}
    await harness.sandbox.settler.idle()
    assert lob_events(harness, first["id"])[-1] == "check.deleted"

    second = await create(harness, mailed)
    await advance(harness, 2)
    refused = await harness.client.delete(f"{CHECKS}/{second['id']}")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_deletable"
    stopped = await harness.client.post("/positive-pay/v1/stop-payments", json={
        "account_number": ACCOUNT, "check_number": mailed["check_number"], "amount": "250.00"})
    assert stopped.status_code == 200 and stopped.json()["status"] == "placed"

    await advance(harness, 30)  # a stopped or cancelled check is never paid
    assert await bank_report(harness, "paid-items") == []
    ledger = (await harness.client.get("/ledger")).json()["payments"]
    assert not any(entry["settled"] for entry in ledger)


async def test_lob_refusals_use_lobs_error_envelope(harness: Harness) -> None:
    for body in (check_body(e2e_id(), amount=1000000.00),
                 check_body(e2e_id(), memo="x" * 41),
                 check_body(e2e_id(), to={"name": "J", **ADDRESS, "address_zip": "1"}),
                 check_body(e2e_id(), payee="not a Lob field")):
        refused = await harness.client.post(CHECKS, json=body)
        assert refused.status_code == 422, body
        assert refused.json()["error"]["status_code"] == 422
    unknown = await harness.client.get(f"{CHECKS}/chk_0000000000000000")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"


async def test_positive_pay_returns_unissued_voided_or_altered_checks_unpaid(
    harness: Harness,
) -> None:
    never_issued, voided, altered, genuine = (check_body(e2e_id()) for _ in range(4))
    await create(harness, never_issued, issued=False)
    await create(harness, voided)
    await issue(harness, voided, void=True)
    await issue(harness, {**altered, "amount": 25.00})  # the record says 25.00; 250.00 comes
    await create(harness, altered, issued=False)
    await create(harness, genuine)

    await advance(harness, 15)

    exceptions = {int(row["check_number"]): row["reason"]
                  for row in await bank_report(harness, "exception-items")}
    assert exceptions == {never_issued["check_number"]: "not issued",
                          voided["check_number"]: "voided",
                          altered["check_number"]: "amount differs from the issue record"}
    paid = [int(row["check_number"]) for row in await bank_report(harness, "paid-items")]
    assert paid == [genuine["check_number"]]
    ledger = (await harness.client.get("/ledger", params={"rail": "check"})).json()["payments"]
    assert sum(entry["settled"] for entry in ledger) == 1  # no money moved for the others


async def concourse_status(harness: Harness, eid: str) -> dict[str, Any]:
    response = await harness.client.get(CONCOURSE_STATUS, params={"endToEndId": eid})
    assert response.status_code == 200, response.text
    status: dict[str, Any] = response.json()["paymentStatus"]
    return status


async def test_an_unclaimed_concourse_invitation_expires_after_n_days_unpaid(
    harness: Harness,
) -> None:
    await behave(harness, "jane.doe@example.com", concourse="never_register")
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
    await behave(harness, "jane.doe@example.com", concourse="never_register")
    eid = e2e_id()
    await harness.client.post(CONCOURSE, json=payment_body(eid))
    await advance(harness, 5)
    assert (await harness.client.post(f"{CONCOURSE}/{eid}/invitation")).status_code == 200
    await advance(harness, 5)  # 10 days since the first email, 5 since the second
    assert (await concourse_status(harness, eid))["status"] == "INVITED"
    await advance(harness, 2)
    assert (await concourse_status(harness, eid))["status"] == "INVITATION_EXPIRED"


async def test_a_bounced_concourse_invitation_ends_unpaid_with_be23(harness: Harness) -> None:
    await behave(harness, "nobody@example.com", concourse="bounce")
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
    created = await create(harness, check_body(e2e_id()))
    await advance(harness, 15)
    assert lob_events(harness, created["id"]) == [
        "check.delivered", "check.in_transit", "check.mailed"]


async def test_reset_puts_the_clock_back(harness: Harness) -> None:
    await advance(harness, 3)
    assert (await harness.client.get("/sandbox/clock")).json()["offset_s"] == 3 * 86400
    await harness.client.post("/sandbox/reset")
    assert (await harness.client.get("/sandbox/clock")).json()["offset_s"] == 0


async def test_fail_status_next_refuses_status_queries_only(harness: Harness) -> None:
    eid = e2e_id()
    await create(harness, check_body(eid))
    await harness.client.put("/sandbox/faults", json={"fail_status_next": 1})
    params = {"metadata[end_to_end_id]": eid}
    assert (await harness.client.get(CHECKS, params=params)).status_code == 503
    assert (await harness.client.get(CHECKS, params=params)).status_code == 200


async def test_the_bank_takes_calls_only_with_its_bearer_token(harness: Harness) -> None:
    body = check_body(e2e_id())
    record = pp.IssueRecord(ACCOUNT, body["check_number"], Money.of("250.00"), date.today(),
                            "Jane Doe", False)
    refused = await harness.client.post(
        "/positive-pay/v1/issues", content=pp.issue_file([record]).encode(),
        headers={"Content-Type": pp.MEDIA_TYPE, "Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    report = await harness.client.get("/positive-pay/v1/paid-items",
                                      params={"account_number": ACCOUNT, "since": "2000-01-01"},
                                      headers={"Authorization": ""})
    assert report.status_code == 401
    await issue(harness, body)  # with the token: recorded
