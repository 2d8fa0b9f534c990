"""The Concourse stand-in: create, repeat-as-status-query, conflicts, validation, status."""

from __future__ import annotations

import pytest

from services.sandbox.app import create_app
from services.sandbox.settings import DEV_WEBHOOK_SECRET, SandboxSettings

from .conftest import Harness, e2e_id, payment_body

PAYMENTS = "/concourse/v1/payments"
STATUS = "/concourse/v1/payments/status"
PROBLEM = "application/problem+json"


async def test_create_answers_201_with_a_pending_payment(harness: Harness) -> None:
    eid = e2e_id()
    response = await harness.client.post(PAYMENTS, json=payment_body(eid))

    assert response.status_code == 201
    body = response.json()
    assert body["endToEndId"] == eid
    assert body["paymentId"].startswith("CNC-") and len(body["paymentId"]) == 16
    assert body["status"] == "PENDING"
    assert body["amount"] == "125.00"
    assert body["currency"] == "USD"
    assert body["payee"] == {"name": "Jane Doe", "email": "jane.doe@example.com", "mobile": None}
    assert body["createdAt"]
    assert body["paidAt"] is None and body["statusReason"] is None


async def test_repeat_is_a_status_query_never_a_second_payment(harness: Harness) -> None:
    eid = e2e_id()
    first = await harness.client.post(PAYMENTS, json=payment_body(eid))
    # Same instruction; the email's case does not make it a different payee.
    repeat_body = payment_body(eid, amount="125.0")
    repeat_body["payee"]["email"] = "Jane.Doe@example.com"
    repeat = await harness.client.post(PAYMENTS, json=repeat_body)

    assert first.status_code == 201
    assert repeat.status_code == 200
    assert repeat.json()["paymentId"] == first.json()["paymentId"]
    ledger = (await harness.client.get("/ledger")).json()["payments"]
    assert [entry["endToEndId"] for entry in ledger] == [eid]


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "125.01"},
        {"payee": {"name": "Jane Doe", "email": "john@example.com", "mobile": None}},
    ],
)
async def test_repeat_with_another_instruction_is_a_409(
    harness: Harness, change: dict[str, object]
) -> None:
    eid = e2e_id()
    first = await harness.client.post(PAYMENTS, json=payment_body(eid))
    response = await harness.client.post(PAYMENTS, json=payment_body(eid, **change))

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"] == "urn:warranty:problem:duplicate-end-to-end-id"
    assert problem["paymentId"] == first.json()["paymentId"]
    assert len((await harness.client.get("/ledger")).json()["payments"]) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"endToEndId": "ABCDEFGHIJKLMNOPQ"},  # 17 characters
        {"endToEndId": "PA-123"},
        {"endToEndId": ""},
        {"amount": 125.0},  # a float is refused outright
        {"amount": "0.00"},
        {"amount": "12.345"},
        {"currency": "EUR"},
        {"payee": {"name": "Jane", "email": "not-an-email"}},
        {"callbackUrl": "ftp://example.com/cb"},
    ],
)
async def test_invalid_request_is_a_422_problem(
    harness: Harness, change: dict[str, object]
) -> None:
    response = await harness.client.post(PAYMENTS, json=payment_body(e2e_id(), **change))

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:warranty:problem:validation-error"
    assert (await harness.client.get("/ledger")).json()["payments"] == []


async def test_status_of_an_unknown_payment_is_a_404_problem(harness: Harness) -> None:
    response = await harness.client.get(STATUS, params={"endToEndId": "NOSUCHID"})

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:warranty:problem:payment-not-found"


async def test_status_returns_the_payment(harness: Harness) -> None:
    eid = e2e_id()
    created = (await harness.client.post(PAYMENTS, json=payment_body(eid))).json()

    response = await harness.client.get(STATUS, params={"endToEndId": eid})

    assert response.status_code == 200
    assert response.json()["paymentId"] == created["paymentId"]


async def test_ledger_lists_payments_in_creation_order(harness: Harness) -> None:
    ids = [e2e_id() for _ in range(3)]
    for eid in ids:
        await harness.client.post(PAYMENTS, json=payment_body(eid, amount="10.50"))

    ledger = (await harness.client.get("/ledger", params={"rail": "concourse"})).json()

    assert [entry["endToEndId"] for entry in ledger["payments"]] == ids
    entry = ledger["payments"][0]
    assert entry["rail"] == "concourse"
    assert entry["amount"] == "10.50"
    assert entry["payeeName"] == "Jane Doe"
    assert entry["payeeEmail"] == "jane.doe@example.com"
    assert set(entry) == {
        "rail", "endToEndId", "paymentId", "amount", "currency", "payeeName", "payeeEmail",
        "payeeMobile", "payeeAddress", "status", "settled", "reasonCode", "method",
        "checkNumber", "createdAt", "paidAt",
    }
    # An unknown rail is refused rather than answered with an empty (vacuously clean) ledger.
    assert (await harness.client.get("/ledger", params={"rail": "wire"})).status_code == 422


async def test_health_and_readiness(harness: Harness) -> None:
    for path in ("/healthz", "/readyz"):
        response = await harness.client.get(path)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


def test_every_route_is_documented() -> None:
    spec = create_app(SandboxSettings()).openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("tags"), (method, path)
    create = spec["paths"][PAYMENTS]["post"]["responses"]
    assert {"200", "201", "409", "422", "429", "503"} <= set(create)
    assert {"404", "422"} <= set(spec["paths"][STATUS]["get"]["responses"])


def test_settings_accept_the_payouts_secret_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SANDBOX_WEBHOOK_SECRET", raising=False)
    assert SandboxSettings().webhook_secret == DEV_WEBHOOK_SECRET

    monkeypatch.setenv("PROVIDER_WEBHOOK_SECRET", "shared-secret-from-payouts-0001")
    monkeypatch.setenv("SANDBOX_PORT", "9100")
    settings = SandboxSettings()
    assert settings.webhook_secret == "shared-secret-from-payouts-0001"
    assert settings.port == 9100

    monkeypatch.setenv("SANDBOX_WEBHOOK_SECRET", "sandbox-own-secret-takes-precedence")
    assert SandboxSettings().webhook_secret == "sandbox-own-secret-takes-precedence"
