"""Table-driven over HTTP: every job action from every state a job reaches through the API, and
every claim action from every claim status, is either allowed or refused as an RFC 9457 problem
with a stable type."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from services.claims.consumers.payout_events import payout_events_handler
from services.claims.domain.work import JOB_MACHINE, JobAction, JobFacts, JobStatus
from services.claims.service.context import ServiceContext
from tests.integration.api import ok, problem

from .conftest import Flow
from .test_claim_credit_flow import outbox_commands
from .test_payout_events import paid

# How to bring a New job to each state through the API.
PATHS: dict[JobStatus, list[dict[str, str]]] = {
    JobStatus.NEW: [],
    JobStatus.ACCEPTED: [{"action": "accept"}],
    JobStatus.REJECTED: [{"action": "reject", "reason": "out of area"}],
    JobStatus.COMPLETED: [{"action": "accept"}, {"action": "complete"}],
    JobStatus.CANCELLED: [{"action": "cancel", "reason": "duplicate"}],
}
ACTIONS = [JobAction.ACCEPT, JobAction.REJECT, JobAction.COMPLETE, JobAction.CANCEL,
           JobAction.RECORD_VISIT]


@pytest.mark.parametrize(
    "state, action", list(itertools.product(PATHS, ACTIONS)),
    ids=lambda v: str(getattr(v, "value", v)),
)
async def test_job_actions_from_every_state(
    flow: Flow, state: JobStatus, action: JobAction
) -> None:
    job = (await flow.request_service())["jobs"][0]
    url = f"/v1/service-jobs/{job['id']}/transitions"
    agent = flow.actors.agent
    for step in PATHS[state]:
        ok(await flow.client.post(url, json=step, headers=agent))
    body = {"action": action.value, "reason": "because"}
    response = await flow.client.post(url, json=body, headers=agent)
    if JOB_MACHINE.can(state, action):
        expected = JOB_MACHINE.fire(state, action, JobFacts(timedelta(0), "because"))
        assert ok(response)["status"] == expected.value
    else:
        detail = problem(response, 409, "illegal-transition")["detail"]
        assert f"'{state.value}'" in detail and f"'{action.value}'" in detail


@pytest.mark.parametrize("action", ["reject", "cancel"])
async def test_reject_and_cancel_need_a_reason(flow: Flow, action: str) -> None:
    job = (await flow.request_service())["jobs"][0]
    response = await flow.client.post(f"/v1/service-jobs/{job['id']}/transitions",
                                      json={"action": action}, headers=flow.actors.agent)
    problem(response, 422, "reason-required")


async def test_the_customer_cannot_move_jobs(flow: Flow) -> None:
    job = (await flow.request_service())["jobs"][0]
    response = await flow.client.post(f"/v1/service-jobs/{job['id']}/transitions",
                                      json={"action": "accept"}, headers=flow.me)
    problem(response, 403, "forbidden")


async def claim_in(flow: Flow, claims: ServiceContext, status: str) -> str:
    claim_id = await flow.ready_claim()
    if status == "rejected":
        ok(await flow.client.post(f"/v1/claims/{claim_id}/reject", json={"reason": "dup"},
                                  headers=flow.actors.support))
    if status in ("approved", "paid"):
        ok(await flow.approve(claim_id))
    if status == "paid":
        [command] = await outbox_commands(claims, claim_id)
        await payout_events_handler(claims)(paid(command, claim_id))
    return claim_id


CLAIM_TABLE = [
    # (status, action, expected HTTP status, problem type or None)
    ("under_review", "payment-option", 200, None),
    ("under_review", "reject", 200, None),
    ("under_review", "approve", 200, None),
    ("approved", "payment-option", 409, "payment-locked"),
    ("approved", "reject", 409, "illegal-transition"),
    ("approved", "approve", 409, "illegal-transition"),
    ("paid", "payment-option", 409, "payment-locked"),
    ("paid", "reject", 409, "illegal-transition"),
    ("paid", "approve", 409, "illegal-transition"),
    ("rejected", "payment-option", 409, "illegal-transition"),
    ("rejected", "reject", 409, "illegal-transition"),
    ("rejected", "approve", 409, "illegal-transition"),
]


@pytest.mark.parametrize("status, action, code, slug", CLAIM_TABLE,
                         ids=[f"{s}-{a}" for s, a, _, _ in CLAIM_TABLE])
async def test_claim_actions_from_every_status(
    flow: Flow, claims: ServiceContext, status: str, action: str, code: int, slug: str | None
) -> None:
    claim_id = await claim_in(flow, claims, status)
    if action == "payment-option":
        response = await flow.choose_concourse(claim_id)
    elif action == "reject":
        response = await flow.client.post(f"/v1/claims/{claim_id}/reject",
                                          json={"reason": "not covered"},
                                          headers=flow.actors.support)
    else:
        response = await flow.approve(claim_id)
    if slug is None:
        ok(response, code)
    else:
        problem(response, code, slug)
