"""Operator actions take an Idempotency-Key: a repeat replays the first answer and changes
nothing more, concurrently too; another body under the same key is refused; keys are the
caller's own; a missing key is a problem details 422; a failed request keeps no key."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from services.payouts.service.dispatch import dispatch_once
from shared.messaging.contracts import PayoutCancelledV1
from shared.messaging.contracts import Rail as R

from .conftest import World, command, customer_by_check
from .helpers import history, payouts

ACTIONS = ("approve", "reject", "cancel", "void", "stop", "resend-invitation")


async def act(world: World, payout_id: object, action: str, key: str | None, *,
              who: str = "payables-pat", reason: str = "operator decision") -> httpx.Response:
    headers = world.token("payables", subject=who)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await world.api.post(f"/v1/payouts/{payout_id}/{action}", headers=headers,
                                json={"reason": reason})


async def held(world: World) -> Any:
    """A payout over the approval threshold, waiting for an approver."""
    await world.request(command(amount="10000.01"))
    [payout] = [p for p in await payouts(world) if p.status == "pending_approval"]
    return payout


async def issued_check(world: World) -> Any:
    await world.request(command(rail=R.CHECK, payee=customer_by_check("Keyed Payee")))
    await dispatch_once(world.deps)
    [payout] = await payouts(world)
    assert payout.status == "submitted"
    return payout


async def actions_taken(world: World, action: str) -> int:
    return sum(1 for h in await history(world) if h[2] == action)


async def keys(world: World) -> list[Any]:
    return await world.sql("SELECT principal, key, status_code FROM idempotency_keys")


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:warranty:problem:{slug}"
    return body


async def test_a_repeat_replays_the_first_answer_and_approves_once(world: World) -> None:
    payout = await held(world)
    first = await act(world, payout.id, "approve", "approve-1")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "approved"
    assert await dispatch_once(world.deps) == 1  # the payout moves on...

    again = await act(world, payout.id, "approve", "approve-1")
    # ...but the repeat is answered as the first time, not approved (or refused) again.
    assert (again.status_code, again.json()) == (200, first.json())
    assert await actions_taken(world, "approve") == 1
    assert [(k.principal, k.key, k.status_code) for k in await keys(world)] == [
        ("payables-pat", "approve-1", 200)]


async def test_a_repeated_rejection_announces_one_cancellation(world: World) -> None:
    payout = await held(world)
    first = await act(world, payout.id, "reject", "reject-1", reason="duplicate claim")
    again = await act(world, payout.id, "reject", "reject-1", reason="duplicate claim")
    assert first.status_code == 200, first.text
    assert (again.status_code, again.json()) == (200, first.json())
    assert len(await world.outbox(PayoutCancelledV1.TYPE)) == 1
    assert await actions_taken(world, "reject") == 1


async def test_the_same_key_for_another_request_is_refused(world: World) -> None:
    payout = await held(world)
    other = await held_another(world)
    assert (await act(world, payout.id, "approve", "k-1", reason="looks right")).status_code == 200

    other_reason = await act(world, payout.id, "approve", "k-1", reason="something else")
    body = assert_problem(other_reason, 422, "idempotency-key-reused")
    assert "different request" in body["detail"]
    assert_problem(await act(world, other.id, "approve", "k-1", reason="looks right"), 422,
                   "idempotency-key-reused")
    assert_problem(await act(world, payout.id, "reject", "k-1", reason="looks right"), 422,
                   "idempotency-key-reused")
    rows = await world.sql("SELECT status FROM payouts WHERE id = :i", i=other.id)
    assert [r.status for r in rows] == ["pending_approval"]


async def held_another(world: World) -> Any:
    before = {p.id for p in await payouts(world)}
    await world.request(command(amount="10000.02"))
    [payout] = [p for p in await payouts(world) if p.id not in before]
    return payout


@pytest.mark.parametrize("action", ACTIONS)
async def test_a_missing_key_is_a_problem_and_changes_nothing(world: World, action: str) -> None:
    payout = await held(world)
    body = assert_problem(await act(world, payout.id, action, None), 422, "validation-error")
    assert ["header", "Idempotency-Key"] in [e["loc"] for e in body["errors"]]
    assert_problem(await act(world, payout.id, action, ""), 422, "validation-error")
    assert [p.status for p in await payouts(world)] == ["pending_approval"]
    assert await keys(world) == []


async def test_keys_belong_to_their_caller(world: World) -> None:
    first, second = await held(world), await held_another(world)
    pat = await act(world, first.id, "approve", "shared-key", who="payables-pat")
    sam = await act(world, second.id, "approve", "shared-key", who="payables-sam",
                    reason="another reason")
    assert pat.status_code == 200 and sam.status_code == 200, sam.text
    assert (pat.json()["id"], sam.json()["id"]) == (str(first.id), str(second.id))
    assert sam.json()["decided_by"] == "payables-sam"
    assert await actions_taken(world, "approve") == 2
    assert sorted(k.principal for k in await keys(world)) == ["payables-pat", "payables-sam"]


async def test_a_failed_request_keeps_no_key(world: World) -> None:
    payout, other = await held(world), await held_another(world)
    missing = await act(world, uuid.uuid4(), "approve", "retry-1")
    assert_problem(missing, 404, "payout-not-found")
    own = await act(world, payout.id, "approve", "retry-2", who="ss-approver-1")
    assert_problem(own, 403, "self-approval")
    assert await keys(world) == []
    # Neither key answered anything, so each is free for another request (not a 422).
    assert (await act(world, payout.id, "approve", "retry-1")).status_code == 200
    cancelled = await act(world, other.id, "cancel", "retry-2", who="ss-approver-1")
    assert cancelled.status_code == 200, cancelled.text


async def test_concurrent_repeats_approve_once(world: World) -> None:
    payout = await held(world)
    answers = await asyncio.gather(*(act(world, payout.id, "approve", "race-1")
                                     for _ in range(2)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert await actions_taken(world, "approve") == 1


async def test_concurrent_repeats_void_the_check_once(world: World) -> None:
    payout = await issued_check(world)
    answers = await asyncio.gather(*(act(world, payout.id, "void", "void-1", who="ops-olga")
                                     for _ in range(2)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["status"] == "cancelled"
    await world.settle()  # the provider's VOIDED callback finds it done
    assert len(await world.outbox(PayoutCancelledV1.TYPE)) == 1
    assert [h for h in await history(world) if h[1] == "cancelled"] == [
        ("submitted", "cancelled", "provider_cancelled")]
    assert [e["status"] for e in await world.ledger()] == ["VOIDED"]


async def test_a_repeated_stop_with_reissue_reissues_once(world: World) -> None:
    payout = await issued_check(world)
    await world.advance(2)  # mailed

    async def stop() -> httpx.Response:
        return await world.api.post(
            f"/v1/payouts/{payout.id}/stop",
            headers={**world.token("ops", subject="ops-olga"), "Idempotency-Key": "stop-1"},
            json={"reason": "payee lost it", "reissue": True})

    first = await stop()
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "approved"
    again = await stop()
    assert (again.status_code, again.json()) == (200, first.json())
    assert await actions_taken(world, "reissue") == 1
