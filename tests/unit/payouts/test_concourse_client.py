"""The Concourse client against scripted provider answers (``httpx.MockTransport``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from services.payouts.adapters.concourse import ConcourseClient
from services.payouts.domain.model import Payee
from services.payouts.domain.outcomes import Observation
from services.payouts.service.ports import (
    Accepted,
    NotFound,
    NotSent,
    Rejected,
    Status,
    Unknown,
)
from shared.money import Money

BASE = "http://provider.test/concourse/v1"
E2E = "ABCDEFGH12345678"
PAYEE = Payee(kind="customer", name="Jane Doe", email="jane.doe@gmail.com")


def resource(status: str = "PENDING", amount: str = "125.00") -> dict[str, object]:
    return {"endToEndId": E2E, "paymentId": "CNC-1", "status": status, "amount": amount,
            "currency": "USD", "payee": {"name": "Jane Doe", "email": "jane.doe@gmail.com"},
            "createdAt": "2026-01-05T10:00:00Z", "paidAt": None, "statusReason": None}


Answer = httpx.Response | Exception


def scripted(answers: list[Answer], seen: list[httpx.Request]) -> httpx.AsyncClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


def make(answers: list[Answer], seen: list[httpx.Request], sleeps: list[float]
         ) -> ConcourseClient:
    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    return ConcourseClient(BASE, callback_url="http://payouts.test/v1/callbacks/concourse",
                           client=scripted(answers, seen), sleep=sleep, timeout_s=1, retries=3,
                           backoff_s=0.1, max_backoff_s=2)


async def create(client: ConcourseClient) -> object:
    return await client.create_payment(E2E, Money.of("125.00"), PAYEE,
                                       "http://payouts.test/v1/callbacks/concourse", "memo")


async def test_created_payment_is_accepted_with_the_request_body() -> None:
    seen: list[httpx.Request] = []
    client = make([httpx.Response(201, json=resource())], seen, [])
    result = await create(client)
    assert isinstance(result, Accepted) and result.created
    assert result.payment.observation is Observation.PENDING
    assert result.payment.amount == Money.of("125.00")
    body = json.loads(seen[0].content)
    assert body == {"endToEndId": E2E, "amount": "125.00", "currency": "USD",
                    "payee": {"name": "Jane Doe", "email": "jane.doe@gmail.com", "mobile": None},
                    "callbackUrl": "http://payouts.test/v1/callbacks/concourse", "memo": "memo"}
    assert str(seen[0].url) == f"{BASE}/payments"


async def test_5xx_and_429_are_retried_with_the_same_end_to_end_id() -> None:
    seen: list[httpx.Request] = []
    sleeps: list[float] = []
    answers: list[Answer] = [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(200, json=resource("COMPLETED")),
    ]
    result = await create(make(answers, seen, sleeps))
    assert isinstance(result, Accepted) and not result.created
    assert result.payment.observation is Observation.COMPLETED
    assert {json.loads(r.content)["endToEndId"] for r in seen} == {E2E}
    assert sleeps == [0.1, 1.0]  # backoff, then the provider's Retry-After


async def test_retries_exhausted_on_a_5xx_that_may_have_acted_is_unknown() -> None:
    seen: list[httpx.Request] = []
    result = await create(make([httpx.Response(500)] * 4, seen, []))
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
    result = await create(make(answers, seen, []))
    assert isinstance(result, NotSent)
    assert len(seen) == 4


@pytest.mark.parametrize("answers", [
    [httpx.Response(502), httpx.Response(503), httpx.Response(503), httpx.Response(503)],
    [httpx.Response(503), httpx.Response(503), httpx.Response(504), httpx.Response(503)],
])
async def test_one_try_that_may_have_acted_makes_the_outcome_unknown(
    answers: list[Answer],
) -> None:
    assert isinstance(await create(make(answers, [], [])), Unknown)


async def test_a_retry_after_longer_than_we_wait_is_not_sent_and_retried_later() -> None:
    seen: list[httpx.Request] = []
    answers: list[Answer] = [httpx.Response(429, headers={"Retry-After": "60"})]
    result = await create(make(answers, seen, []))
    assert isinstance(result, NotSent) and len(seen) == 1


async def test_refused_connection_is_retried_but_a_timeout_is_not() -> None:
    seen: list[httpx.Request] = []
    answers: list[Answer] = [httpx.ConnectError("refused"), httpx.Response(201, json=resource())]
    assert isinstance(await create(make(answers, seen, [])), Accepted)

    seen.clear()
    answers = [httpx.ReadTimeout("slow"), httpx.Response(201, json=resource())]
    result = await create(make(answers, seen, []))
    assert isinstance(result, Unknown) and "Timeout" in result.reason
    assert len(seen) == 1  # never re-sent blind after a timeout


async def test_hard_deadline_even_when_the_transport_has_no_timeout() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(201, json=resource())

    client = ConcourseClient(BASE, client=httpx.AsyncClient(transport=httpx.MockTransport(slow)),
                             timeout_s=0.05)
    result = await create(client)
    assert isinstance(result, Unknown)


@pytest.mark.parametrize("status", [400, 422])
async def test_validation_refusal_is_rejected(status: int) -> None:
    answers: list[Answer] = [httpx.Response(status, json={"detail": "payee email invalid"})]
    result = await create(make(answers, [], []))
    assert isinstance(result, Rejected)
    assert result.status_code == status and result.reason == "payee email invalid"


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(409, json={"detail": "taken"}), httpx.Response(401),
     httpx.Response(201, json={"nonsense": True}),
     httpx.Response(201, json=resource("EXPLODED"))],
)
async def test_conflicts_and_unreadable_answers_are_unknown(answer: httpx.Response) -> None:
    assert isinstance(await create(make([answer], [], [])), Unknown)


StatusCheck = Callable[[object], bool]


@pytest.mark.parametrize(
    ("answer", "check"),
    [
        (httpx.Response(200, json=resource("COMPLETED")),
         lambda r: isinstance(r, Status) and r.payment.observation is Observation.COMPLETED),
        (httpx.Response(200, json=resource("REJECTED")),
         lambda r: isinstance(r, Status) and r.payment.observation is Observation.REJECTED),
        (httpx.Response(404), lambda r: isinstance(r, NotFound)),
        (httpx.Response(500), lambda r: isinstance(r, Unknown)),
    ],
)
async def test_status_query(answer: httpx.Response, check: StatusCheck) -> None:
    seen: list[httpx.Request] = []
    answers: list[Answer] = [answer] * 4
    client = make(answers, seen, [])
    assert check(await client.payment_status(E2E))
    assert seen[0].url.params["endToEndId"] == E2E
    assert str(seen[0].url).startswith(f"{BASE}/payments/status?")
