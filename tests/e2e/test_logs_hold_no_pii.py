"""The logs of every process hold no payee PII and no secrets: after a full flow, and after the
error paths where PII is most likely to leak (a provider failing and timing out, a 422 on a
body with an email, a database constraint violation on a row with a note, messages parked as
forged or undecodable)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
from aio_pika.abc import AbstractRobustConnection

from shared.messaging.envelope import Envelope
from shared.settings import PlatformSettings
from tests.e2e.stack import LOG_DIR, Stack
from tests.e2e.test_broker_trust import _parked, _until
from tests.e2e.test_payout_faults import publish, request_payout
from warranty_client.claim_credit import ClaimCreditFlow, claim_credit_flow
from warranty_client.http import Urls, expect


def _logs() -> dict[str, str]:
    logs = {path.name: path.read_text(errors="replace") for path in LOG_DIR.glob("*.log")}
    assert logs, "the processes wrote no logs"
    return logs


async def test_logs_hold_no_payee_pii_and_no_secrets(urls: Urls, stack: Stack) -> None:
    result = await claim_credit_flow(urls, lambda _: None, amount="42.42")
    local_part = result.customer_email.split("@")[0]
    secrets = [stack.env["PROVIDER_WEBHOOK_SECRET"], "dev-only-secret-change-me"]
    for name, text in _logs().items():
        assert local_part not in text, f"{name} logs the payee's email"
        assert "5125550123" not in text, f"{name} logs the payee's phone"
        assert "Bearer " not in text, f"{name} logs a bearer token"
        for secret in secrets:
            assert secret not in text, f"{name} logs a secret"


async def test_error_paths_log_no_payee_pii(
    urls: Urls, stack: Stack, broker: AbstractRobustConnection, http: httpx.AsyncClient
) -> None:
    tag = uuid.uuid4().hex[:12]
    markers = {f"pii{tag}", f"note{tag}", f"forged{tag}", f"garbled{tag}", f"placeholder{tag}"}
    flow = ClaimCreditFlow(http, urls, say=lambda _: None, settings=PlatformSettings(),
                           email=f"pii{tag}@mail.cinch-demo.net")
    sandbox = stack.url("sandbox")

    # The provider refuses the first create and times out on the next (after recording the
    # payment), then cannot answer status queries for a while: retry and unknown paths.
    expect(await http.put(f"{sandbox}/sandbox/faults", json={
        "fail_next": 1, "respond_delay_ms": 15000, "respond_delay_next": 1,
        "fail_status_next": 2}), 200)
    claim = await flow.open_claim("61.23")
    # A 422 whose body holds an email (a placeholder address for Concourse).
    refused = await flow.select_concourse(claim["id"], email=f"noemail.placeholder{tag}@cinch.com")
    assert refused.status_code == 422, refused.text
    expect(await flow.select_concourse(claim["id"]), 200)
    await flow.approve(claim["id"])

    # A unique violation in the database on a row carrying a note (a second open exception).
    job = claim["job_id"]
    body = {"type": "ss_credit_debit_memo_request", "comment_code": "CRDT",
            "note": f"note{tag}: pro underpaid"}
    url = f"{urls.claims}/v1/service-jobs/{job}/exceptions"
    expect(await http.post(url, headers=flow.actors.agent, json=body), 201)
    assert (await http.post(url, headers=flow.actors.agent, json=body)).status_code == 409

    # Messages parked: one forged (signed by billing's key), one that is not an envelope.
    before = await _parked(broker, stack, "payouts.commands")
    forged = request_payout(f"forged{tag}@mail.cinch-demo.net")
    await publish(broker, stack, Envelope.wrap(forged, producer="claims").to_bytes(),
                  signed_as="billing")
    await publish(broker, stack, b'{"type": "payouts.request_payout", "payload": {"payee": '
                  b'{"email": "garbled' + tag.encode() + b'@mail.cinch-demo.net"}}}')

    async def both_parked() -> bool:
        return await _parked(broker, stack, "payouts.commands") >= before + 2

    await _until(both_parked)
    paid = await flow.wait_for_claim(claim["id"], "paid", timeout_s=90)
    assert Decimal(paid["payouts"][-1]["amount"]) == Decimal("61.23")

    # The error paths were taken, and logged (so the scan below looked at them). The create
    # call's timeout is logged when it expires, which may be after the claim was paid (the
    # status query found the payment first): wait for it.
    evidence = ("unique violation", "503 Service Unavailable", "outcome unknown")

    async def all_logged() -> bool:
        everything = "\n".join(_logs().values())
        return all(line in everything for line in evidence)

    await _until(all_logged, timeout_s=30)
    for name, text in _logs().items():
        for marker in markers:
            assert marker not in text, f"{name} logs {marker!r} (payee PII or a note)"
