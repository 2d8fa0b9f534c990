"""The Concourse stand-in (modelled on Global Payments v1 at /tsapi/v1/concourse): the 202,
repeat-as-the-same-answer, conflicts, strict validation in Global Payments' error envelopes,
the status query, the invitation actions and the ledger."""

from __future__ import annotations

from typing import Any

import pytest

from services.sandbox.app import create_app
from services.sandbox.settings import DEV_WEBHOOK_SECRET, SandboxSettings

from .conftest import CONCOURSE, CONCOURSE_STATUS, Harness, e2e_id, payment_body

PAYMENTS = CONCOURSE
STATUS = CONCOURSE_STATUS


def first_error_code(body: dict[str, Any]) -> str:
    """The first errorCode of either Global Payments envelope (ErrorsInit or [Errors])."""
    errors = body["errors"]
    group = errors[0] if isinstance(errors, list) else errors
    code: str = group["errorDetails"][0]["errorCode"]
    return code


async def test_create_answers_202_and_invites_the_payee(harness: Harness) -> None:
    # The payee would register after the settle delay; held, the invitation is all there is.
    await harness.client.put("/sandbox/faults", json={"hold_settlement": True})
    eid = e2e_id()
    response = await harness.client.post(PAYMENTS, json=payment_body(eid))

    assert response.status_code == 202
    answer = response.json()["paymentInitiationResponse"]
    assert answer["endToEndId"] == eid and answer["firmRootId"]
    status = (await harness.client.get(STATUS, params={"endToEndId": eid})).json()
    assert status["paymentStatus"]["status"] == "INVITED"
    assert "exception" not in status["paymentStatus"]


async def test_repeat_answers_the_same_202_never_a_second_payment(harness: Harness) -> None:
    eid = e2e_id()
    first = await harness.client.post(PAYMENTS, json=payment_body(eid))
    # Same instruction; the email's case does not make it a different payee.
    repeat = await harness.client.post(PAYMENTS,
                                       json=payment_body(eid, email="Jane.Doe@example.com"))

    assert (repeat.status_code, repeat.json()) == (202, first.json())
    ledger = (await harness.client.get("/ledger")).json()["payments"]
    assert [entry["endToEndId"] for entry in ledger] == [eid]


@pytest.mark.parametrize("change", [{"amount": 125.01}, {"email": "john@example.com"}])
async def test_repeat_with_another_instruction_is_refused(
    harness: Harness, change: dict[str, Any],
) -> None:
    eid = e2e_id()
    await harness.client.post(PAYMENTS, json=payment_body(eid))
    response = await harness.client.post(PAYMENTS, json=payment_body(eid, **change))

    assert response.status_code == 400
    assert response.json()["errors"]["endToEndId"] == eid
    assert len((await harness.client.get("/ledger")).json()["payments"]) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"paymentIdentifiers": {"endToEndId": "A" * 32}},  # Global Payments allows 31
        {"paymentIdentifiers": {"endToEndId": "PA-123"}},
        {"paymentAmount": 0},
        {"paymentAmount": 12.345},
        {"paymentCurrency": "EUR"},
        {"creditor": {"creditorName": "Jane", "creditorAccount": {
            "alternateAccountIdentifier": "not-an-email",
            "schemeName": {"proprietary": "EMAL"}}}},
        {"creditor": {"creditorName": "Jane", "creditorAccount": {
            "alternateAccountIdentifier": "+15555550123",
            "schemeName": {"proprietary": "TELI"}}}},
        {"callbackUrl": "http://payouts.test/cb"},  # the old invented wire's field
        {"requestedExecutionDate": "2001-01-01"},
    ],
)
async def test_invalid_request_is_a_400_in_the_initiation_envelope(
    harness: Harness, change: dict[str, Any],
) -> None:
    response = await harness.client.post(PAYMENTS, json=payment_body(e2e_id(), **change))

    assert response.status_code == 400
    assert first_error_code(response.json())
    assert response.headers["content-type"] == "application/json"  # never problem+json
    assert (await harness.client.get("/ledger")).json()["payments"] == []


async def test_a_body_that_is_not_json_is_gca_023(harness: Harness) -> None:
    response = await harness.client.post(PAYMENTS, content=b"{not json",
                                         headers={"content-type": "application/json"})
    assert response.status_code == 400 and first_error_code(response.json()) == "GCA-023"


async def test_status_of_an_unknown_payment_is_10009(harness: Harness) -> None:
    response = await harness.client.get(STATUS, params={"endToEndId": "NOSUCHID"})
    assert response.status_code == 400 and first_error_code(response.json()) == "10009"
    missing = await harness.client.get(STATUS)
    assert missing.status_code == 400 and first_error_code(missing.json()) == "GCA-095"


async def test_resend_and_cancel_only_while_unclaimed(harness: Harness) -> None:
    await harness.client.put("/sandbox/faults", json={"hold_settlement": True})
    eid = e2e_id()
    await harness.client.post(PAYMENTS, json=payment_body(eid))

    resent = await harness.client.post(f"{PAYMENTS}/{eid}/invitation")
    assert resent.status_code == 200
    assert resent.json()["paymentStatus"]["status"] == "INVITED"
    cancelled = await harness.client.post(f"{PAYMENTS}/{eid}/cancellation")
    assert cancelled.json()["paymentStatus"]["status"] == "CANCELLED"
    again = await harness.client.post(f"{PAYMENTS}/{eid}/cancellation")  # a repeat: the same
    assert (again.status_code, again.json()) == (200, cancelled.json())
    late = await harness.client.post(f"{PAYMENTS}/{eid}/invitation")
    assert late.status_code == 400 and first_error_code(late.json()) == "10008"

    released = await harness.client.post("/sandbox/release")  # a cancelled payment never pays
    assert released.json() == {"released": []}
    unknown = await harness.client.post(f"{PAYMENTS}/NOSUCHID/cancellation")
    assert unknown.status_code == 400 and first_error_code(unknown.json()) == "10009"


async def test_a_paid_payment_cannot_be_cancelled(harness: Harness) -> None:
    eid = e2e_id()
    await harness.client.post(PAYMENTS, json=payment_body(eid))
    await harness.sandbox.settler.idle()

    refused = await harness.client.post(f"{PAYMENTS}/{eid}/cancellation")
    assert refused.status_code == 400 and first_error_code(refused.json()) == "10008"
    status = (await harness.client.get(STATUS, params={"endToEndId": eid})).json()
    assert status["paymentStatus"]["status"] == "COMPLETED"


async def test_ledger_lists_payments_in_creation_order(harness: Harness) -> None:
    ids = [e2e_id() for _ in range(3)]
    for eid in ids:
        await harness.client.post(PAYMENTS, json=payment_body(eid, amount=10.50))

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


async def test_the_concourse_routes_take_the_banks_bearer_token(harness: Harness) -> None:
    del harness.client.headers["Authorization"]
    response = await harness.client.post(PAYMENTS, json=payment_body(e2e_id()))
    assert response.status_code == 401


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
    assert {"202", "400", "503"} <= set(spec["paths"][PAYMENTS]["post"]["responses"])
    assert {"200", "400"} <= set(spec["paths"][STATUS]["get"]["responses"])
    for action in ("invitation", "cancellation"):
        answers = spec["paths"][f"{PAYMENTS}/{{endToEndId}}/{action}"]["post"]["responses"]
        assert {"200", "400"} <= set(answers)


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
