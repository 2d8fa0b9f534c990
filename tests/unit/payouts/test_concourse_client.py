"""The Concourse client (modelled on Global Payments v1) against scripted bank answers
(``httpx.MockTransport``): the request it builds, the HTTP discipline around it (same
endToEndId on every retry, a timeout is unknown, a 503 on every try is not sent) and how it
reads the 202, the status answers, the error envelopes and the invitation actions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from services.payouts.domain.model import Payee
from services.payouts.domain.outcomes import Observation
from services.payouts.rails.concourse.client import ConcourseClient
from services.payouts.rails.jpm_payments.client import Debtor
from services.payouts.service.ports import (
    Accepted,
    NotFound,
    NotSent,
    PaymentInstruction,
    Rejected,
    SendResult,
    Status,
    Unknown,
)
from shared.money import Money

BASE = "http://bank.test/tsapi/v1/concourse"
E2E = "ABCDEFGH12345678"
TODAY = date(2026, 1, 5)
PAYEE = Payee(kind="customer", name="Jane Doe", email="jane.doe@gmail.com")
INSTRUCTION = PaymentInstruction(E2E, Money.of("125.00"), PAYEE, "memo")


def accepted() -> dict[str, Any]:
    return {"paymentInitiationResponse": {"endToEndId": E2E, "firmRootId": "root-1"}}


def status_answer(status: str, exceptions: list[dict[str, str]] | None = None,
                  ) -> dict[str, Any]:
    core: dict[str, Any] = {"status": status, "createDateTime": "2026-01-05T10:00:03.000"}
    if exceptions:
        core["exception"] = exceptions
    return {"paymentStatus": core}


def gp_errors(code: str, description: str) -> dict[str, Any]:
    """Global Payments' query error envelope: ``{"errors": [Errors]}``."""
    return {"errors": [{"errorDetails": [{"errorCode": code,
                                          "errorDescription": description}]}]}


def init_errors(code: str, description: str) -> dict[str, Any]:
    """Global Payments' initiation error envelope: ``{"errors": ErrorsInit}``."""
    return {"errors": {"endToEndId": E2E, "errorDetails": [
        {"errorCode": code, "errorDescription": description}]}}


Answer = httpx.Response | Exception


def scripted(answers: list[Answer], seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def make(answers: list[Answer], seen: list[httpx.Request], sleeps: list[float],
         ) -> ConcourseClient:
    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    return ConcourseClient(BASE, debtor=Debtor("000009102574986", name="Acme Warranty"),
                           today=lambda: TODAY, client=scripted(answers, seen), sleep=sleep,
                           timeout_s=1, retries=3, backoff_s=0.1, max_backoff_s=2)


async def send(client: ConcourseClient) -> SendResult:
    return await client.send(INSTRUCTION)


async def test_a_payment_is_the_payments_envelope_with_the_payee_by_email() -> None:
    seen: list[httpx.Request] = []
    result = await send(make([httpx.Response(202, json=accepted())], seen, []))
    assert isinstance(result, Accepted) and result.created
    assert result.payment.observation is Observation.PENDING
    assert result.payment.provider_reference == "root-1"
    assert str(seen[0].url) == f"{BASE}/payments"
    payments = json.loads(seen[0].content)["payments"]
    assert payments["paymentIdentifiers"] == {"endToEndId": E2E}
    assert (payments["paymentAmount"], payments["paymentCurrency"]) == (125.0, "USD")
    assert payments["requestedExecutionDate"] == TODAY.isoformat()
    assert payments["debtor"]["debtorAccount"]["accountId"] == "000009102574986"
    # No accountType: there is no account until the payee registers and chooses one.
    assert payments["creditor"] == {"creditorName": "Jane Doe", "creditorAccount": {
        "alternateAccountIdentifier": "jane.doe@gmail.com",
        "schemeName": {"proprietary": "EMAL"}}}
    assert payments["remittanceInformation"] == {"unstructuredInformation": ["memo"]}


async def test_5xx_and_429_are_retried_with_the_same_end_to_end_id() -> None:
    seen: list[httpx.Request] = []
    sleeps: list[float] = []
    answers: list[Answer] = [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(202, json=accepted()),
    ]
    result = await send(make(answers, seen, sleeps))
    assert isinstance(result, Accepted)
    ids = {json.loads(r.content)["payments"]["paymentIdentifiers"]["endToEndId"] for r in seen}
    assert ids == {E2E}
    assert sleeps == [0.1, 1.0]  # backoff, then the bank's Retry-After


async def test_retries_exhausted_on_a_5xx_that_may_have_acted_is_unknown() -> None:
    seen: list[httpx.Request] = []
    result = await send(make([httpx.Response(500)] * 4, seen, []))
    assert isinstance(result, Unknown) and "500" in result.reason
    assert len(seen) == 4


@pytest.mark.parametrize(
    "answers",
    [
        [httpx.Response(503)] * 4,
        [httpx.ConnectError("refused")] * 4,
        [httpx.ConnectError("refused"), httpx.Response(429, headers={"Retry-After": "1"}),
         httpx.Response(503), httpx.ConnectTimeout("no connection")],
    ],
    ids=["503", "refused", "mixed"],
)
async def test_retries_exhausted_on_refusals_that_prove_nothing_was_created_is_not_sent(
    answers: list[Answer],
) -> None:
    seen: list[httpx.Request] = []
    result = await send(make(answers, seen, []))
    assert isinstance(result, NotSent)
    assert len(seen) == 4


@pytest.mark.parametrize("answers", [
    [httpx.Response(502), httpx.Response(503), httpx.Response(503), httpx.Response(503)],
    [httpx.Response(503), httpx.Response(503), httpx.Response(504), httpx.Response(503)],
])
async def test_one_try_that_may_have_acted_makes_the_outcome_unknown(
    answers: list[Answer],
) -> None:
    assert isinstance(await send(make(answers, [], [])), Unknown)


async def test_a_retry_after_longer_than_we_wait_is_not_sent_and_retried_later() -> None:
    seen: list[httpx.Request] = []
    answers: list[Answer] = [httpx.Response(429, headers={"Retry-After": "60"})]
    result = await send(make(answers, seen, []))
    assert isinstance(result, NotSent) and len(seen) == 1


async def test_refused_connection_is_retried_but_a_timeout_is_not() -> None:
    seen: list[httpx.Request] = []
    answers: list[Answer] = [httpx.ConnectError("refused"), httpx.Response(202, json=accepted())]
    assert isinstance(await send(make(answers, seen, [])), Accepted)

    seen.clear()
    answers = [httpx.ReadTimeout("slow"), httpx.Response(202, json=accepted())]
    result = await send(make(answers, seen, []))
    assert isinstance(result, Unknown) and "Timeout" in result.reason
    assert len(seen) == 1  # never re-sent blind after a timeout


async def test_hard_deadline_even_when_the_transport_has_no_timeout() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(202, json=accepted())

    client = ConcourseClient(BASE, debtor=Debtor("000009102574986"),
                             client=httpx.AsyncClient(transport=httpx.MockTransport(slow)),
                             timeout_s=0.05)
    assert isinstance(await send(client), Unknown)


async def test_a_refusal_in_the_initiation_envelope_is_rejected_with_its_code() -> None:
    answers: list[Answer] = [httpx.Response(400, json=init_errors("10004", "date in the past"))]
    result = await send(make(answers, [], []))
    assert isinstance(result, Rejected)
    assert (result.status_code, result.reason_code) == (400, "10004")
    assert result.reason == "10004: date in the past"


async def test_a_forbidden_debtor_account_is_not_sent_so_it_waits_for_the_fix() -> None:
    answers: list[Answer] = [httpx.Response(403, json=init_errors("GCA-001", "not entitled"))]
    result = await send(make(answers, [], []))
    assert isinstance(result, NotSent) and "403" in result.reason


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(409, json=init_errors("10001", "taken")), httpx.Response(401),
     httpx.Response(202, json={"nonsense": True}),
     httpx.Response(200, json=status_answer("EXPLODED"))],
    ids=["409", "401", "unreadable-202", "unknown-status"],
)
async def test_conflicts_and_unreadable_answers_are_unknown(answer: httpx.Response) -> None:
    assert isinstance(await send(make([answer], [], [])), Unknown)


StatusCheck = Callable[[object], bool]


def observed(observation: Observation, code: str | None = None) -> StatusCheck:
    def check(result: object) -> bool:
        return (isinstance(result, Status) and result.payment.observation is observation
                and result.payment.reason_code == code)

    return check


@pytest.mark.parametrize(
    ("answer", "check"),
    [
        (httpx.Response(200, json=status_answer("INVITED")), observed(Observation.PENDING)),
        (httpx.Response(200, json=status_answer("REGISTERED")), observed(Observation.PENDING)),
        (httpx.Response(200, json=status_answer("COMPLETED")),
         observed(Observation.COMPLETED)),
        (httpx.Response(200, json=status_answer("REJECTED", [
            {"errorCode": "11000", "externalCode": "AC04", "errorDescription": "closed"}])),
         observed(Observation.REJECTED, "AC04")),
        # No exception[]: the status implies the ISO code the fallback rules look for.
        (httpx.Response(200, json=status_answer("INVITATION_EXPIRED")),
         observed(Observation.REJECTED, "NOAS")),
        (httpx.Response(200, json=status_answer("INVITATION_BOUNCED")),
         observed(Observation.REJECTED, "BE23")),
        (httpx.Response(200, json=status_answer("CANCELLED")), observed(Observation.CANCELLED)),
        (httpx.Response(400, json=gp_errors("10009", "Invalid Id provided")),
         lambda r: isinstance(r, NotFound)),
        (httpx.Response(400, json=gp_errors("GCA-095", "endToEndId is required")),
         lambda r: isinstance(r, Unknown)),
        (httpx.Response(500), lambda r: isinstance(r, Unknown)),
    ],
    ids=["invited", "registered", "completed", "rejected", "expired", "bounced", "cancelled",
         "unknown-id", "other-400", "500"],
)
async def test_status_query(answer: httpx.Response, check: StatusCheck) -> None:
    seen: list[httpx.Request] = []
    client = make([answer] * 4, seen, [])
    assert check(await client.status(E2E))
    assert seen[0].url.params["endToEndId"] == E2E
    assert str(seen[0].url).startswith(f"{BASE}/payments/status?")


@pytest.mark.parametrize(("action", "path"), [("resend_invitation", "invitation"),
                                              ("cancel", "cancellation")])
async def test_invitation_actions_post_to_the_payment_and_read_its_status(
    action: str, path: str,
) -> None:
    seen: list[httpx.Request] = []
    answer = status_answer("CANCELLED" if action == "cancel" else "INVITED")
    client = make([httpx.Response(200, json=answer)], seen, [])
    result = await getattr(client, action)(E2E)
    assert isinstance(result, Status)
    assert (seen[0].method, str(seen[0].url)) == ("POST", f"{BASE}/payments/{E2E}/{path}")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(httpx.Response(400, json=gp_errors("10008", "not awaiting registration")), Rejected),
     (httpx.Response(400, json=gp_errors("10009", "Invalid Id provided")), Rejected),
     (httpx.Response(503), Unknown), (httpx.Response(401), Unknown)],
    ids=["not-unclaimed", "unknown-id", "503", "401"],
)
@pytest.mark.parametrize("action", ["resend_invitation", "cancel"])
async def test_a_refused_invitation_action_is_rejected_and_a_failure_unknown(
    answer: httpx.Response, expected: type, action: str,
) -> None:
    result = await getattr(make([answer] * 4, [], []), action)(E2E)
    assert isinstance(result, expected)
    if isinstance(result, Rejected):
        assert result.reason.startswith(answer.json()["errors"][0]["errorDetails"][0][
            "errorCode"])
