"""The Zelle/ACH client and the sandbox against J.P. Morgan Global Payments v1 itself, strictly
(no field the specification does not name): every request the client builds, every answer and
callback the sandbox gives, and the spec's own examples read by the client's parsers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.payouts.domain.model import Payee, Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.rails.jpm_payments.callbacks import parse_callbacks
from services.payouts.rails.jpm_payments.client import (
    BankAccount,
    Debtor,
    ZelleClient,
    ach_payment_body,
    initiation_payment,
    status_payment,
)
from services.payouts.rails.jpm_payments.statuses import OBSERVATIONS
from services.payouts.rails.jpm_payments.wire import (
    ErrorAnswer,
    InitiationAnswer,
    PaymentStatusAnswer,
)
from services.payouts.service.ports import (
    NotFound,
    NotSent,
    PaymentInstruction,
    Rejected,
    Status,
)
from services.sandbox.app import create_app
from services.sandbox.gp_answers import new_york_today
from services.sandbox.jpm_schemas import callback_body, status_answer
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import Payment, PaymentStatus
from services.sandbox.state import Rail as SandboxRail
from shared.money import Money
from tests.bank_tokens import authorize
from tests.contracts.spec import jpm

PAYMENTS = ("post", "/payments")
STATUS = ("get", "/payments/status")
MISFILED_202_EXAMPLES = {"PaymentInitiationResponseAU400"}  # an error body filed under 202
DEBTOR = Debtor("000009102574986", name="Home Warranty Payouts")
PAYEES = {
    "email": Payee(kind="service_pro", name="Pat Pro", email="pat@fixit-pros.net"),
    "US mobile": Payee(kind="service_pro", name="Pat Pro", mobile="+15555550123"),
    "token": Payee(kind="service_pro", name="Pat Pro", email="pat@fixit-pros.net",
                   zelle_token="+15555550199"),
}


def instruction(payee: Payee, memo: str | None = "Claim credit C-1",
                amount: str = "180.00") -> PaymentInstruction:
    return PaymentInstruction("K3V9Q2M7X1B4C8D5", Money.of(amount), payee, memo)


def zelle_client(**options: Any) -> ZelleClient:
    return ZelleClient("http://sandbox.test/tsapi/v1", debtor=DEBTOR,
                       today=lambda: date(2026, 1, 5), retries=0, **options)


@pytest.mark.parametrize("kind", sorted(PAYEES))
@pytest.mark.parametrize("memo", ["Claim credit C-1", None, "x" * 300])
def test_every_zelle_request_the_client_builds_meets_the_spec(kind: str,
                                                              memo: str | None) -> None:
    body = zelle_client().body(instruction(PAYEES[kind], memo))
    jpm().validate_request(*PAYMENTS, body)
    assert body["payments"]["creditor"]["creditorAccount"]["accountType"] == "ZELLE"
    assert "paymentType" not in body["payments"]  # the enum has no Zelle value


def test_the_end_to_end_id_and_status_query_meet_the_spec() -> None:
    jpm().validate_request(*STATUS, None, query={"endToEndId": "K3V9Q2M7X1B4C8D5"})


def test_an_ach_request_meets_the_spec() -> None:
    account = BankAccount(routing_number="071000013", account_number="000000034257284")
    body = ach_payment_body(instruction(PAYEES["email"]), DEBTOR, date(2026, 1, 6), account)
    jpm().validate_request(*PAYMENTS, body)
    assert body["payments"]["paymentType"] == "ACH.TRF"


def test_the_status_map_reads_every_status_the_spec_names() -> None:
    core = jpm().document["components"]["schemas"]["CoreStatus"]["properties"]["status"]
    callback = jpm().document["components"]["schemas"]["Callbacks"]["items"]["properties"][
        "paymentStatus"]
    assert set(core["enum"]) | set(callback["enum"]) == set(OBSERVATIONS)
    assert OBSERVATIONS["WAREHOUSED"] is Observation.PENDING
    assert OBSERVATIONS["BLOCKED"] is Observation.REJECTED


def test_the_specs_202_examples_are_read_as_accepted() -> None:
    for name, example in jpm().examples(*PAYMENTS, 202).items():
        if name in MISFILED_202_EXAMPLES:
            continue
        payment = initiation_payment(InitiationAnswer.model_validate(example))
        assert payment.observation is Observation.PENDING
        assert payment.provider_reference == example["paymentInitiationResponse"]["firmRootId"]


def test_the_specs_status_examples_are_read() -> None:
    read = {name: status_payment(PaymentStatusAnswer.model_validate(example), "E1")
            for name, example in jpm().examples(*STATUS, 200).items()}
    assert read["PaymentStatusCompleted"].observation is Observation.COMPLETED
    assert read["PaymentStatusPending"].observation is Observation.PENDING
    rejected = read["PaymentStatusRejected"]
    assert rejected.observation is Observation.REJECTED and rejected.reason_code == "10004"
    assert rejected.reason is not None and "requestedExecutionDate" in rejected.reason


def test_the_specs_error_examples_are_read_with_their_codes() -> None:
    # The 400 examples, and the AU400 error misfiled under 202 (one object, not an array).
    examples = [*jpm().examples(*PAYMENTS, 400).values(),
                jpm().examples(*PAYMENTS, 202)["PaymentInitiationResponseAU400"]]
    found = [d.error_code for example in examples
             for d in ErrorAnswer.model_validate(example).details()]
    assert found == ["GCA-154", "GCA-148", "10001"]


def _answer(status: int, body: dict[str, Any]) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


async def test_a_400_is_a_rejection_with_its_code_and_a_403_is_not_sent() -> None:
    example = jpm().examples(*PAYMENTS, 400)["InvadlidRequest"]
    async with httpx.AsyncClient(transport=_answer(400, example)) as http:
        result = await zelle_client(client=http).send(instruction(PAYEES["email"]))
    assert isinstance(result, Rejected) and result.reason_code == "GCA-154"
    assert "paymentType is invalid" in result.reason
    forbidden = jpm().examples(*PAYMENTS, 403)["ClientIneligible"]
    async with httpx.AsyncClient(transport=_answer(403, forbidden)) as http:
        result = await zelle_client(client=http).send(instruction(PAYEES["email"]))
    assert isinstance(result, NotSent) and "GCA-001" in result.reason


async def test_a_503_on_every_try_is_not_sent() -> None:
    unavailable = {"errors": {"errorDetails": [{"errorCode": "GCA-099",
                                                "errorDescription": "System Unavailable"}]}}
    jpm().validate_response(*PAYMENTS, 503, unavailable)
    async with httpx.AsyncClient(transport=_answer(503, unavailable)) as http:
        result = await zelle_client(client=http).send(instruction(PAYEES["email"]))
    assert isinstance(result, NotSent)


# -- the sandbox's answers and callbacks -----------------------------------------------------


@pytest.fixture
async def sandbox(sandbox_db: str,
                  ) -> AsyncIterator[tuple[httpx.AsyncClient, list[httpx.Request]]]:
    received: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200, json={})

    callbacks = httpx.AsyncClient(transport=httpx.MockTransport(receive))
    app = create_app(SandboxSettings(settle_delay_ms=0, callback_backoff_ms=1,
                                     database_url=sandbox_db),
                     callback_client=callbacks)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox.test") as client:
        await authorize(client)  # J.P. Morgan's routes take a bearer token
        yield client, received
    await app.state.sandbox.aclose()
    await callbacks.aclose()


def _today_client(http: httpx.AsyncClient) -> ZelleClient:
    return ZelleClient("http://sandbox.test/tsapi/v1", debtor=DEBTOR, client=http, retries=0)


async def test_the_sandbox_202_status_and_callback_meet_the_spec(
    sandbox: tuple[httpx.AsyncClient, list[httpx.Request]],
) -> None:
    http, received = sandbox
    body = _today_client(http).body(instruction(PAYEES["email"]))
    created = await http.post("/tsapi/v1/payments", json=body)
    assert created.status_code == 202
    jpm().validate_response(*PAYMENTS, 202, created.json())
    status = await http.get("/tsapi/v1/payments/status",
                            params={"endToEndId": "K3V9Q2M7X1B4C8D5"})
    jpm().validate_response(*STATUS, 200, status.json())
    for _ in range(50):
        if received:
            break
        await http.post("/sandbox/clock/advance", json={"minutes": 1})
        await asyncio.sleep(0.01)  # the callback is delivered by a background task
    [delivered] = received
    assert delivered.url.path == "/v1/callbacks/jpm/status"
    schema = jpm().callback_schema(*PAYMENTS, "paymentInitiationStatus")
    jpm().validate(schema, json.loads(delivered.content))
    [callback] = parse_callbacks(delivered.content, Rail.ZELLE)
    assert callback.observation is Observation.COMPLETED


def _planted(status: PaymentStatus) -> Payment:
    return Payment(end_to_end_id="K3V9Q2M7X1B4C8D5", payment_id=Payment.new_firm_root_id(),
                   amount=Money.of("180.00").amount, currency="USD", payee_name="Pat Pro",
                   payee_email="pat@fixit-pros.net", payee_mobile=None, callback_url=None,
                   memo=None, created_at=datetime(2026, 1, 5, 10, tzinfo=UTC), status=status,
                   rail=SandboxRail.ZELLE, reason_code="BE23",
                   status_reason="recipient is not enrolled in Zelle")


@pytest.mark.parametrize("status", [s for s in PaymentStatus if s.value in OBSERVATIONS])
def test_the_sandbox_status_answer_and_callback_in_every_state_meet_the_spec(
    status: PaymentStatus,
) -> None:
    payment = _planted(status)
    answer = status_answer(payment)
    jpm().validate_response(*STATUS, 200, answer)
    read = status_payment(PaymentStatusAnswer.model_validate(answer), payment.end_to_end_id)
    assert read.observation is OBSERVATIONS[status.value]
    if status is PaymentStatus.WAREHOUSED:
        return  # the callback's own enum stops at BLOCKED (see the spec patch)
    body = callback_body(payment)
    jpm().validate(jpm().callback_schema(*PAYMENTS, "paymentInitiationStatus"), body)
    [callback] = parse_callbacks(json.dumps(body).encode(), Rail.ZELLE)
    assert callback.observation is OBSERVATIONS[status.value]


async def test_the_sandbox_error_envelopes_meet_the_spec(
    sandbox: tuple[httpx.AsyncClient, list[httpx.Request]],
) -> None:
    http, _ = sandbox
    body = _today_client(http).body(instruction(PAYEES["email"]))
    del body["payments"]["debtorAgent"]
    refused = await http.post("/tsapi/v1/payments", json=body)
    assert refused.status_code == 400
    jpm().validate_response(*PAYMENTS, 400, refused.json())
    unknown = await http.get("/tsapi/v1/payments/status", params={"endToEndId": "NEVERSEEN"})
    assert unknown.status_code == 400
    jpm().validate_response(*STATUS, 400, unknown.json())
    assert isinstance(await _today_client(http).status("NEVERSEEN"), NotFound)
    missing = await http.get("/tsapi/v1/payments/status")
    jpm().validate_response(*STATUS, 400, missing.json())

    await http.put("/sandbox/faults", json={"fail_next": 1, "fail_status_next": 1})
    unavailable = await http.post("/tsapi/v1/payments",
                                  json=_today_client(http).body(instruction(PAYEES["email"])))
    assert unavailable.status_code == 503
    jpm().validate_response(*PAYMENTS, 503, unavailable.json())
    query_down = await http.get("/tsapi/v1/payments/status", params={"endToEndId": "X1"})
    assert query_down.status_code == 503
    jpm().validate_response(*STATUS, 503, query_down.json())


async def test_a_future_dated_ach_payment_is_warehoused_then_paid_on_its_date(
    sandbox: tuple[httpx.AsyncClient, list[httpx.Request]],
) -> None:
    """ACH through Global Payments as the spec has it: future-dated, the payment is WAREHOUSED
    until its execution date (read as pending, never as unknown), then pending and completed;
    every answer and callback meets the spec."""
    http, received = sandbox
    account = BankAccount(routing_number="071000013", account_number="000000034257284")
    execution = new_york_today() + timedelta(days=3)
    body = ach_payment_body(instruction(PAYEES["email"]), DEBTOR, execution, account)
    jpm().validate_request(*PAYMENTS, body)
    created = await http.post("/tsapi/v1/payments", json=body)
    assert created.status_code == 202, created.text
    client = _today_client(http)
    held = await client.status("K3V9Q2M7X1B4C8D5")
    assert isinstance(held, Status)
    assert (held.payment.observation, held.payment.provider_status) == (
        Observation.PENDING, "WAREHOUSED")
    answer = await http.get("/tsapi/v1/payments/status",
                            params={"endToEndId": "K3V9Q2M7X1B4C8D5"})
    jpm().validate_response(*STATUS, 200, answer.json())
    assert answer.json()["paymentStatus"]["status"] == "WAREHOUSED"

    await http.post("/sandbox/clock/advance", json={"days": 4})
    for _ in range(100):
        if any(b'"COMPLETED"' in r.content for r in received):
            break
        await asyncio.sleep(0.01)  # callbacks are delivered by background tasks
    statuses = [item["paymentStatus"] for r in received
                for item in json.loads(r.content)["callbacks"]]
    assert statuses == ["PENDING", "COMPLETED"]
    schema = jpm().callback_schema(*PAYMENTS, "paymentInitiationStatus")
    for delivered in received:
        jpm().validate(schema, json.loads(delivered.content))
    paid = await client.status("K3V9Q2M7X1B4C8D5")
    assert isinstance(paid, Status) and paid.payment.observation is Observation.COMPLETED
    [entry] = (await http.get("/ledger")).json()["payments"]
    assert (entry["method"], entry["settled"]) == ("ACH", True)
