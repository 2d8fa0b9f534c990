"""The Concourse client and the sandbox against the *modelled* Concourse specification
(docs/providers/concourse-modelled.yaml; J.P. Morgan publishes no Concourse API), strictly,
and the parts that are literally Global Payments' (creditor, debtor, error envelopes, 202)
against J.P. Morgan's own specification too."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from services.payouts.domain.model import Payee
from services.payouts.domain.outcomes import Observation
from services.payouts.rails.concourse.callbacks import parse_callbacks
from services.payouts.rails.concourse.client import ConcourseClient
from services.payouts.rails.concourse.statuses import OBSERVATIONS
from services.payouts.rails.jpm_payments.client import Debtor
from services.payouts.service.ports import PaymentInstruction, Rejected, Status
from services.sandbox.app import create_app
from services.sandbox.concourse_schemas import callback_body, status_answer
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import Payment, PaymentStatus
from services.sandbox.state import Rail as SandboxRail
from shared.money import Money
from tests.bank_tokens import authorize
from tests.contracts.spec import SpecViolation, concourse, jpm

PAYMENTS = ("post", "/payments")
STATUS = ("get", "/payments/status")
BASE = "http://sandbox.test/tsapi/v1/concourse"
PAYEE = Payee(kind="service_pro", name="Pat Pro", email="pat@fixit-pros.net")


def client(**options: Any) -> ConcourseClient:
    return ConcourseClient(BASE, debtor=Debtor("000009102574986", name="Home Warranty Payouts"),
                           today=lambda: date(2026, 1, 5), retries=0, **options)


def concourse_statuses() -> list[str]:
    schemas = concourse().document["components"]["schemas"]
    return list(schemas["ConcourseStatus"]["enum"])


@pytest.mark.parametrize("memo", ["Claim credit C-1", None, "x" * 300])
def test_every_request_the_client_builds_meets_the_modelled_spec(memo: str | None) -> None:
    body = client().body(PaymentInstruction("K3V9Q2M7X1B4C8D5", Money.of("125.00"), PAYEE,
                                            memo))
    concourse().validate_request(*PAYMENTS, body)
    concourse().validate_request(*STATUS, None, query={"endToEndId": "K3V9Q2M7X1B4C8D5"})
    # The envelope is Global Payments' own: its creditor, debtor and agent are GP's schemas.
    for part, schema in (("creditor", "Creditor"), ("debtor", "Debtor"),
                         ("debtorAgent", "DebtorAgent")):
        jpm().validate({"$ref": f"#/components/schemas/{schema}"}, body["payments"][part])


def test_an_invented_field_is_refused_by_the_modelled_spec() -> None:
    body = client().body(PaymentInstruction("K3V9Q2M7X1B4C8D5", Money.of("1.00"), PAYEE, None))
    body["payments"]["callbackUrl"] = "http://x"  # the old invented wire's field
    with pytest.raises(SpecViolation, match="callbackUrl"):
        concourse().validate_request(*PAYMENTS, body)


def test_the_status_map_is_total_over_the_modelled_enum() -> None:
    assert set(concourse_statuses()) == set(OBSERVATIONS)
    assert OBSERVATIONS["INVITATION_BOUNCED"] is Observation.REJECTED
    assert OBSERVATIONS["INVITATION_EXPIRED"] is Observation.REJECTED
    assert OBSERVATIONS["CANCELLED"] is Observation.CANCELLED


def payment(status: PaymentStatus, reason_code: str | None = None) -> Payment:
    return Payment(end_to_end_id="K3V9Q2M7X1B4C8D5", payment_id="596c0f34-7d7a-4f9b-b6f8",
                   amount=Decimal("125.00"), currency="USD", payee_name="Pat Pro",
                   payee_email="pat@fixit-pros.net", payee_mobile=None, callback_url=None,
                   memo=None, created_at=datetime(2026, 1, 5, tzinfo=UTC), status=status,
                   rail=SandboxRail.CONCOURSE, reason_code=reason_code, method="ACH")


@pytest.mark.parametrize("status", concourse_statuses())
def test_every_status_answer_and_callback_the_sandbox_gives_meets_the_spec(status: str) -> None:
    code = {"INVITATION_BOUNCED": "BE23", "INVITATION_EXPIRED": "NOAS"}.get(status)
    snapshot = payment(PaymentStatus(status), code)
    concourse().validate_response(*STATUS, 200, status_answer(snapshot))
    body = callback_body(snapshot)
    concourse().validate(concourse().callback_schema(*PAYMENTS, "paymentInitiationStatus"), body)
    [read] = parse_callbacks(json.dumps(body).encode())
    assert read.observation is OBSERVATIONS[status]
    assert code is None or read.reason_code == code  # the fallback rules read these codes


@pytest.fixture
async def sandbox(sandbox_db: str) -> AsyncIterator[httpx.AsyncClient]:
    # Callbacks are answered in process (they are checked above, not delivered here).
    callbacks = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(200)))
    app = create_app(SandboxSettings(webhook_secret="s" * 32, settle_delay_ms=60_000,
                                     database_url=sandbox_db),
                     callback_client=callbacks)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox.test") as http:
        await authorize(http)
        yield http
    await app.state.sandbox.aclose()


async def test_the_sandboxs_answers_and_errors_meet_both_specs(
        sandbox: httpx.AsyncClient) -> None:
    body = client().body(PaymentInstruction("K3V9Q2M7X1B4C8D5", Money.of("125.00"), PAYEE, None))
    body["payments"]["requestedExecutionDate"] = datetime.now(UTC).date().isoformat()
    created = await sandbox.post(f"{BASE}/payments", json=body)
    assert created.status_code == 202, created.text
    for spec in (concourse(), jpm()):  # the 202 is Global Payments' PaymentInitiationResponse
        spec.validate_response(*PAYMENTS, 202, created.json())
    status = await sandbox.get(f"{BASE}/payments/status", params={"endToEndId": "K3V9Q2M7X1B4C8D5"})
    concourse().validate_response(*STATUS, 200, status.json())
    assert status.json()["paymentStatus"]["status"] == "INVITED"
    refused = await sandbox.post(f"{BASE}/payments", json={"payments": {}})
    unknown = await sandbox.get(f"{BASE}/payments/status", params={"endToEndId": "NOPE"})
    for spec in (concourse(), jpm()):  # the error envelopes are Global Payments' own
        spec.validate_response(*PAYMENTS, 400, refused.json())
        spec.validate_response(*STATUS, 400, unknown.json())


async def test_resend_and_cancel_while_unclaimed_then_refused(
        sandbox: httpx.AsyncClient) -> None:
    bank = client(client=sandbox)
    body = bank.body(PaymentInstruction("K3V9Q2M7X1B4C8D6", Money.of("80.00"), PAYEE, None))
    body["payments"]["requestedExecutionDate"] = datetime.now(UTC).date().isoformat()
    assert (await sandbox.post(f"{BASE}/payments", json=body)).status_code == 202
    resent = await bank.resend_invitation("K3V9Q2M7X1B4C8D6")
    assert isinstance(resent, Status) and resent.payment.provider_status == "INVITED"
    cancelled = await bank.cancel("K3V9Q2M7X1B4C8D6")
    assert isinstance(cancelled, Status) and cancelled.payment.observation is Observation.CANCELLED
    again = await bank.cancel("K3V9Q2M7X1B4C8D6")  # a repeat answers the same
    assert isinstance(again, Status) and again.payment.provider_status == "CANCELLED"
    late = await bank.resend_invitation("K3V9Q2M7X1B4C8D6")
    assert isinstance(late, Rejected) and "10008" in late.reason
    answer = await sandbox.post(f"{BASE}/payments/K3V9Q2M7X1B4C8D6/invitation")
    concourse().validate_response("post", "/payments/{endToEndId}/invitation", 400, answer.json())
