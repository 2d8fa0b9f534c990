"""Every rail's callback endpoint refuses what is not signed by the provider now, and changes
nothing: no status, no history, no event. Then the genuine callback still applies.

(The Concourse basics are in test_callbacks.py; this covers every rail and every way a
signature or its time window can be wrong, including a replay of a once-genuine callback.)
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from services.payouts.service.dispatch import dispatch_once
from services.sandbox.notifications import notification_headers
from shared.messaging.contracts import Rail as R
from shared.signing import sign

from .conftest import SECRET, World, command, customer_by_check, pro
from .helpers import JPM_URL, URL, attempts, event, history, jpm_callback, lob_event, payouts

# rail -> (callback path, the request that makes a payout on it, the status that ends it, the
# body of the rail's callback, the payout's status after it). A check's printer never pays it
# (the bank's paid-items report does): Lob's event that ends one is returned to sender.
RAILS: dict[str, tuple[str, Callable[[], Any], str, Callable[[str, str], bytes], str]] = {
    "concourse": (URL, lambda: command(), "COMPLETED", event, "paid"),
    "zelle": (JPM_URL, lambda: command(rail=R.ZELLE, payee=pro()), "COMPLETED", jpm_callback,
              "paid"),
    "check": ("/v1/callbacks/check", lambda: command(rail=R.CHECK, payee=customer_by_check()),
              "check.returned_to_sender", lob_event, "returned"),
}


def jpm_forged(body: bytes) -> dict[str, dict[str, str]]:
    """J.P. Morgan notification headers that must all be refused for ``body``."""
    genuine = notification_headers(body)
    stranger = ec.generate_private_key(ec.SECP256R1())
    other = base64.b64encode(stranger.sign(body, ec.ECDSA(hashes.SHA256()))).decode()
    return {
        "another key under the bank's key id": {**genuine, "Signature": other},
        "a key id the bank never published": {**genuine, "Key-ID": "made-up"},
        "the wrong algorithm": {**genuine, "Signing-Algorithm": "RSA"},
        "an unknown algorithm": {**genuine, "Signing-Algorithm": "HS256"},
        "no signature": {k: v for k, v in genuine.items() if k != "Signature"},
        "no key id": {k: v for k, v in genuine.items() if k != "Key-ID"},
        "not base64": {**genuine, "Signature": "not base64!"},
        "truncated": {**genuine, "Signature": genuine["Signature"][:-8]},
        "the shared-secret scheme instead": hmac_headers(body),
        "no headers": {},
    }


def hmac_headers(body: bytes, at: int | None = None) -> dict[str, str]:
    now = int(time.time()) if at is None else at
    return {"Lob-Signature-Timestamp": str(now), "Lob-Signature": sign(SECRET, now, body)}


def forged(body: bytes, tolerance_s: int) -> dict[str, dict[str, str]]:
    """Header sets that must all be refused for ``body``."""
    now = int(time.time())
    stale, future = now - tolerance_s - 5, now + tolerance_s + 5
    good = sign(SECRET, now, body)
    return {
        "wrong secret": {"Lob-Signature-Timestamp": str(now),
                         "Lob-Signature": sign("another-secret-0123456789abcdef", now, body)},
        "replayed after the window": {"Lob-Signature-Timestamp": str(stale),
                                      "Lob-Signature": sign(SECRET, stale, body)},
        "timestamp from the future": {"Lob-Signature-Timestamp": str(future),
                                      "Lob-Signature": sign(SECRET, future, body)},
        "old signature under a fresh timestamp": {"Lob-Signature-Timestamp": str(now),
                                                  "Lob-Signature": sign(SECRET, stale, body)},
        "no signature": {"Lob-Signature-Timestamp": str(now)},
        "no timestamp": {"Lob-Signature": good},
        "no headers": {},
        "another scheme": {"Lob-Signature-Timestamp": str(now),
                           "Lob-Signature": "sha256=" + good},
        "not a number": {"Lob-Signature-Timestamp": "yesterday", "Lob-Signature": good},
        "truncated": {"Lob-Signature-Timestamp": str(now), "Lob-Signature": good[:-2]},
    }


async def snapshot(world: World) -> tuple[Any, ...]:
    return (
        [(p.status, p.status_reason) for p in await payouts(world)],
        [(a.status, a.provider_reference) for a in await attempts(world)],
        await history(world),
        len(await world.sql("SELECT id FROM outbox")),
        len(await world.sql("SELECT 1 FROM provider_events")),
    )


async def deliver(world: World, path: str, body: bytes,
                  headers: dict[str, str]) -> httpx.Response:
    return await world.api.post(path, content=body,
                                headers={"Content-Type": "application/json", **headers})


@pytest.mark.parametrize("rail", sorted(RAILS))
async def test_unsigned_or_replayed_callbacks_are_refused_and_change_nothing(
    world: World, rail: str,
) -> None:
    path, request, final_status, callback, payout_status = RAILS[rail]
    # Only the callbacks this test posts reach payouts (the sandbox's own are dropped).
    await world.faults(drop_callbacks=True)
    await world.request(request())
    await dispatch_once(world.deps)
    [attempt] = await attempts(world)
    assert attempt.status == "submitted"
    body = callback(str(attempt.id), final_status)
    tolerance = world.deps.settings.callback_tolerance_s
    before = await snapshot(world)

    # J.P. Morgan's rails (Global Payments, Concourse): the bank's own notification signature.
    jpm = path in (JPM_URL, URL)
    refused = jpm_forged(body) if jpm else forged(body, tolerance)
    for name, headers in refused.items():
        response = await deliver(world, path, body, headers)
        assert response.status_code == 401, f"{rail}: {name} -> {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:warranty:problem:invalid-signature", name
        assert await snapshot(world) == before, f"{rail}: {name} changed something"

    # A body signed for another body is refused too (signature covers the raw bytes).
    now = int(time.time())
    tampered = body.replace(final_status.encode(), b"REJECTED")
    assert tampered != body
    response = await deliver(world, path, tampered,
                             notification_headers(body) if jpm else hmac_headers(body, now))
    assert response.status_code == 401
    assert await snapshot(world) == before

    # The genuine callback (an HMAC one signed within the window, near its edge) is applied.
    edge = int(time.time()) - tolerance + 30
    response = await deliver(world, path, body,
                             notification_headers(body) if jpm else hmac_headers(body, edge))
    assert response.status_code == 200, response.text
    assert response.json() == {"result": "applied"}
    assert [p.status for p in await payouts(world)] == [payout_status]
