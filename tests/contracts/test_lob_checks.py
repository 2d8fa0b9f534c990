"""The check rail against Lob's published specification (strict): every request the client
builds, every answer and event the sandbox gives; Lob's own examples read by our parser; and the
modelled positive-pay format's round trip."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from services.payouts.domain.model import MailingAddress, Payee
from services.payouts.domain.outcomes import Observation
from services.payouts.rails.lob_checks import positive_pay as pp
from services.payouts.rails.lob_checks.client import LobAccount, check_body
from services.payouts.rails.lob_checks.wire import EVENT_OBSERVATIONS, LobCheck, LobEvent
from services.payouts.service.ports import CheckIssue, PaymentInstruction
from services.payouts.settings import PayoutsSettings
from services.sandbox.app import create_app
from services.sandbox.settings import SandboxSettings
from shared.money import Money
from tests.contracts.spec import SpecViolation, lob

CHECKS = ("post", "/checks")
SETTINGS = PayoutsSettings()
ACCOUNT = LobAccount(SETTINGS.lob_api_key, SETTINGS.lob_bank_account_id,
                     SETTINGS.check_return_address)


def instruction(memo: str | None = "Claim credit 1a2b3c4d", line2: str | None = "Apt 4",
                ) -> PaymentInstruction:
    payee = Payee(kind="customer", name="Jane Doe",
                  address=MailingAddress(line1="12 Elm St", line2=line2, city="Springfield",
                                         state="IL", zip="62701"))
    return PaymentInstruction("K3V9Q2M7X1B4C8D5", Money.of("250.00"), payee, memo,
                              payout_id="0b6f3a52-6f0e-4f6b-9a55-1f0c2d3e4f50",
                              check=CheckIssue(10001, date(2026, 1, 6)))


@pytest.mark.parametrize("memo,line2", [("Claim credit 1a2b3c4d", "Apt 4"), (None, None),
                                        ("x" * 60, None)])
def test_every_check_request_the_client_builds_is_valid_for_lob(memo: str | None,
                                                               line2: str | None) -> None:
    body = check_body(instruction(memo, line2), ACCOUNT)
    lob().validate_request(*CHECKS, body)
    assert body["check_number"] == 10001 and body["send_date"] == "2026-01-06"
    assert body["metadata"]["end_to_end_id"] == "K3V9Q2M7X1B4C8D5"


def test_the_idempotency_key_header_is_lobs() -> None:
    header = lob().parameters(*CHECKS, "header")["Idempotency-Key"]
    lob().validate(header["schema"], "K3V9Q2M7X1B4C8D5")


def test_an_invented_field_is_refused_by_the_strict_spec() -> None:
    body = {**check_body(instruction(), ACCOUNT), "callbackUrl": "http://x"}
    with pytest.raises(SpecViolation, match="callbackUrl"):
        lob().validate_request(*CHECKS, body)


def test_lobs_own_check_examples_are_read_by_our_parser() -> None:
    for status_path in (("get", "/checks/{chk_id}"), CHECKS):
        for example in lob().examples(*status_path, 200).values():
            check = LobCheck.model_validate({**example, "metadata": {
                "end_to_end_id": "K3V9Q2M7X1B4C8D5"}})
            payment = check.payment()
            # Mailing is never payment; Lob's example is a cancelled check (``deleted``).
            expected = Observation.CANCELLED if example.get("deleted") else Observation.PENDING
            assert payment.observation is expected
            assert payment.amount == Money(Decimal(str(example["amount"])))


def test_every_check_event_type_lob_documents_has_a_meaning() -> None:
    documented = set(lob().document["components"]["schemas"]["check_types"]["enum"])
    assert documented == set(EVENT_OBSERVATIONS)
    assert Observation.COMPLETED not in EVENT_OBSERVATIONS.values()


@pytest.fixture
async def sandbox(sandbox_db: str) -> Any:
    delivered: list[bytes] = []

    def receive(request: httpx.Request) -> httpx.Response:
        delivered.append(request.content)
        return httpx.Response(200, json={"result": "applied"})

    callbacks = httpx.AsyncClient(transport=httpx.MockTransport(receive))
    app = create_app(SandboxSettings(settle_delay_ms=0, callback_backoff_ms=10,
                                     database_url=sandbox_db),
                     callback_client=callbacks)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sb")
    yield client, app.state.sandbox, delivered
    await app.state.sandbox.aclose()
    await client.aclose()
    await callbacks.aclose()


async def test_the_sandbox_answers_and_announces_in_lobs_contract(sandbox: Any) -> None:
    client, state, delivered = sandbox
    body = check_body(instruction(), ACCOUNT)
    headers = {"Idempotency-Key": "K3V9Q2M7X1B4C8D5"}
    created = await client.post("/v1/checks", json=body, headers=headers)
    assert created.status_code == 200, created.text
    lob().validate_response(*CHECKS, 200, created.json())
    again = await client.post("/v1/checks", json=body, headers=headers)
    assert again.json()["id"] == created.json()["id"]  # idempotent: the same check
    chk = created.json()["id"]
    listed = await client.get("/v1/checks", params={"metadata[end_to_end_id]": body[
        "metadata"]["end_to_end_id"]})
    lob().validate_response("get", "/checks", 200, listed.json())
    state.clock.advance(datetime(2026, 1, 20, tzinfo=UTC) - state.clock.now()
                        if state.clock.now() < datetime(2026, 1, 20, tzinfo=UTC) else
                        state.clock.now() - state.clock.now())
    await state.ticker.tick()
    await state.settler.idle()
    retrieved = await client.get(f"/v1/checks/{chk}")
    lob().validate_response("get", "/checks/{chk_id}", 200, retrieved.json())
    assert delivered, "Lob events were sent"
    for raw in delivered:
        event = json.loads(raw)
        lob().validate(lob().document["components"]["schemas"]["events"], event)
        lob().validate({"$ref": "#/components/schemas/check"}, event["body"])
        LobEvent.model_validate(event)
    cancelled = await client.delete(f"/v1/checks/{chk}")
    assert cancelled.status_code == 422  # past its send date: only a stop payment helps
    lob().validate({"$ref": "#/components/schemas/error"}, cancelled.json())


async def test_an_invalid_check_gets_lobs_error_envelope(sandbox: Any) -> None:
    client, _, _ = sandbox
    body = {**check_body(instruction(), ACCOUNT), "memo": "x" * 41}
    answer = await client.post("/v1/checks", json=body, headers={"Idempotency-Key": "A" * 16})
    assert answer.status_code == 422
    lob().validate({"$ref": "#/components/schemas/error"}, answer.json())


def test_the_positive_pay_issue_file_round_trips() -> None:
    records = [pp.IssueRecord("000123456789", 10001, Money.of("250.00"), date(2026, 1, 6),
                              "Jane Doe"),
               pp.IssueRecord("000123456789", 10002, Money.of("0.01"), date(2026, 1, 7),
                              "O'Brien, Pat \"PJ\"", void=True)]
    text = pp.issue_file(records)
    assert text.splitlines()[0] == ",".join(pp.ISSUE_HEADER)
    assert pp.parse_issue_file(text) == records


def test_the_paid_items_report_round_trips_and_refuses_another_format() -> None:
    items = [pp.PaidItem("000123456789", 10001, Money.of("250.00"), date(2026, 1, 14))]
    assert pp.parse_paid_items(pp.paid_items_report(items)) == items
    with pytest.raises(pp.PositivePayFormatError):
        pp.parse_paid_items("check,amount\r\n1,2\r\n")
    with pytest.raises(pp.PositivePayFormatError):
        pp.parse_paid_items("account_number,check_number,amount,paid_date\r\n1,2,3.001,x\r\n")
