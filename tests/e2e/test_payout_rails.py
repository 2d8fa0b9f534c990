"""Every rail through the real processes, under the sandbox's faults: every payout ends final
(paid, failed, returned, cancelled or expired) and the provider ledger never shows one payout
settled twice. Commands are published to the broker as claims would; the sandbox clock is moved
over HTTP to let checks be mailed, delivered and cashed."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from shared.messaging.contracts import (
    MailingAddress,
    Payee,
    PayeeKind,
    PayoutSource,
    Rail,
    RequestPayoutV1,
)
from shared.messaging.envelope import Envelope
from shared.settings import PlatformSettings
from tests.e2e.stack import LOG_DIR, Stack
from tests.e2e.test_payout_faults import eventually, publish
from warranty_client.actors import Actors
from warranty_client.http import Urls, expect
from warranty_client.payout_rails import run_payout_rails as run_demo

FINAL = {"paid", "failed", "returned", "cancelled", "expired", "unclaimed"}
ADDRESS = MailingAddress(line1="77 Birch Rd", city="Dayton", state="OH", zip="45402")


class Rails:
    """The test's view of the stack: publish commands, read payouts and the ledger."""

    def __init__(self, http: httpx.AsyncClient, urls: Urls, stack: Stack,
                 broker: AbstractRobustConnection) -> None:
        self.http, self.urls, self.stack, self.broker = http, urls, stack, broker
        self.actors = Actors(PlatformSettings(), "cust-rails")
        self.tag = uuid.uuid4().hex[:6]
        self.keys: list[str] = []

    def command(self, rail: Rail, payee: Payee, amount: str = "95.25") -> RequestPayoutV1:
        claim_id = str(uuid.uuid4())
        return RequestPayoutV1(
            payout_key=f"claim:{claim_id}:claim_credit",
            source=PayoutSource(claim_id=claim_id, kind="claim_credit"),
            amount=Decimal(amount), rail=rail, payee=payee, memo="Claim credit",
            requested_by="support-sam",
        )

    async def request(self, command: RequestPayoutV1) -> str:
        envelope = Envelope.wrap(command, producer="claims", correlation_id=command.payout_key)
        await publish(self.broker, self.stack, envelope.to_bytes())
        self.keys.append(command.payout_key)
        return command.payout_key

    async def payout(self, key: str) -> dict[str, Any] | None:
        body = expect(await self.http.get(f"{self.urls.payouts}/v1/payouts",
                                          params={"payout_key": key},
                                          headers=self.actors.payables), 200)
        if not body["items"]:
            return None
        detail: dict[str, Any] = expect(await self.http.get(
            f"{self.urls.payouts}/v1/payouts/{body['items'][0]['id']}",
            headers=self.actors.payables), 200)
        return detail

    async def wait(self, key: str, statuses: set[str], timeout_s: float = 45,
                   attempts: int | None = None) -> dict[str, Any]:
        """Until the payout is in one of ``statuses`` (with ``attempts`` attempts, if given)."""

        async def probe() -> dict[str, Any] | None:
            payout = await self.payout(key)
            if payout is None or payout["status"] not in statuses:
                return None
            return payout if attempts in (None, len(payout["attempts"])) else None

        found: dict[str, Any] = await eventually(
            probe, f"payout {key} to be one of {sorted(statuses)}", timeout_s)
        return found

    async def faults(self, **faults: Any) -> None:
        expect(await self.http.put(f"{self.urls.sandbox}/sandbox/faults", json=faults), 200)

    async def payee(self, **behaviour: Any) -> None:
        expect(await self.http.put(f"{self.urls.sandbox}/sandbox/payees", json=behaviour), 200)

    async def advance(self, days: int) -> None:
        expect(await self.http.post(f"{self.urls.sandbox}/sandbox/clock/advance",
                                    json={"days": days}), 200)

    async def ledger(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = expect(
            await self.http.get(f"{self.urls.sandbox}/ledger"), 200)["payments"]
        return entries

    async def assert_all_final_and_none_paid_twice(self) -> list[dict[str, Any]]:
        """Every payout of this test final; per payout at most one settled ledger entry, and
        every ledger entry of our attempts accounted for."""
        payouts = [await self.wait(key, FINAL) for key in self.keys]
        ledger = {entry["endToEndId"]: entry for entry in await self.ledger()}
        for payout in payouts:
            ids = [attempt["id"] for attempt in payout["attempts"]]
            settled = [i for i in ids if i in ledger and ledger[i]["settled"]]
            assert len(settled) <= 1, f"payout {payout['id']} settled twice: {settled}"
            if payout["status"] == "paid":
                assert len(settled) == 1, f"paid payout {payout['id']} has no settled payment"
            numbers = [attempt["number"] for attempt in payout["attempts"]]
            assert numbers == list(range(1, len(numbers) + 1))
        return payouts


@pytest.fixture
def rails(http: httpx.AsyncClient, urls: Urls, stack: Stack,
          broker: AbstractRobustConnection) -> Rails:
    return Rails(http, urls, stack, broker)


def pro(rails: Rails, n: int, *, address: MailingAddress | None = None) -> Payee:
    return Payee(kind=PayeeKind.SERVICE_PRO, name=f"Pro {rails.tag} {n}",
                 email=f"pro.{rails.tag}.{n}@fixit-pros.net", address=address)


def by_check(rails: Rails, n: int) -> Payee:
    return Payee(kind=PayeeKind.CUSTOMER, name=f"Check Payee {rails.tag} {n}", address=ADDRESS)


def by_concourse(rails: Rails, n: int) -> Payee:
    return Payee(kind=PayeeKind.CUSTOMER, name="Jane Doe",
                 email=f"jane.{rails.tag}.{n}@mail.cinch-demo.net")


FAULTS: list[dict[str, Any]] = [
    {"fail_next": 2},
    {"rate_limit_next": 2},
    {"duplicate_callbacks": True},
    {"reorder_callbacks": True},
    {"drop_callbacks": True},  # only the status polling can finish these
    {"respond_delay_ms": 400},
]
PAYEES = {Rail.CONCOURSE: by_concourse, Rail.ZELLE: pro, Rail.CHECK: by_check}


@pytest.mark.parametrize("rail", [Rail.CONCOURSE, Rail.ZELLE, Rail.CHECK])
async def test_each_rail_under_every_fault_ends_final_and_never_pays_twice(
    rails: Rails, rail: Rail
) -> None:
    for n, faults in enumerate(FAULTS):
        await rails.faults(**faults)
        key = await rails.request(rails.command(rail, PAYEES[rail](rails, n)))
        await rails.wait(key, {"submitted", "paid"})  # the provider holds it
    await rails.faults(drop_callbacks=True)  # the rest is up to callbacks already sent + polling
    if rail is Rail.CHECK:
        await rails.advance(15)  # mailed, delivered, cashed
    payouts = await rails.assert_all_final_and_none_paid_twice()
    assert {p["status"] for p in payouts} == {"paid"}


async def test_provider_times_out_after_accepting_unknown_then_status_query_pays_once(
    rails: Rails, stack: Stack
) -> None:
    timeout_s = float(stack.env.get("PAYOUTS_PROVIDER_TIMEOUT_S", "10"))
    # The sandbox records the payment and settles it, but answers after the client gave up;
    # meanwhile it cannot say what happened either (status queries 503), so nobody knows.
    await rails.faults(respond_delay_ms=int((timeout_s + 2) * 1000), drop_callbacks=True,
                       fail_status_next=10_000)
    key = await rails.request(rails.command(Rail.ZELLE, pro(rails, 99), "61.50"))
    unknown = await rails.wait(key, {"unknown"}, timeout_s=timeout_s + 20)
    [attempt] = unknown["attempts"]
    assert attempt["status"] == "unknown"
    await rails.faults()

    paid = await rails.wait(key, {"paid"})
    [attempt] = paid["attempts"]  # resolved by asking, never by a second instruction
    assert attempt["sends"] == 1 and attempt["checks"] >= 1
    assert [h["to_status"] for h in paid["history"]] == [
        "received", "approved", "unknown", "paid"]
    mine = [e for e in await rails.ledger() if e["endToEndId"] == attempt["id"]]
    assert [(e["status"], e["amount"]) for e in mine] == [("COMPLETED", "61.50")]
    await rails.assert_all_final_and_none_paid_twice()


async def test_zelle_not_enrolled_falls_back_to_check_and_returned_check_is_final(
    rails: Rails,
) -> None:
    fallback = pro(rails, 1, address=ADDRESS)
    await rails.payee(identifier=fallback.email, zelle_enrolled=False)
    returned = by_check(rails, 2)
    await rails.payee(identifier=returned.name, check="return_to_sender")
    no_address = pro(rails, 3)
    await rails.payee(identifier=no_address.email, zelle_enrolled=False)
    await rails.faults(fail_next=1, duplicate_callbacks=True)

    fallback_key = await rails.request(rails.command(Rail.ZELLE, fallback))
    returned_key = await rails.request(rails.command(Rail.CHECK, returned))
    failed_key = await rails.request(rails.command(Rail.ZELLE, no_address))
    await rails.wait(fallback_key, {"submitted"}, attempts=2)  # attempt 2, a check, is out
    await rails.wait(returned_key, {"submitted"}, attempts=1)
    await rails.advance(10)

    await rails.wait(returned_key, {"returned"})
    await rails.advance(10)

    payouts = await rails.assert_all_final_and_none_paid_twice()
    by_key = dict(zip(rails.keys, payouts, strict=True))
    assert by_key[fallback_key]["status"] == "paid"
    assert [(a["number"], a["status"]) for a in by_key[fallback_key]["attempts"]] == [
        (1, "failed"), (2, "paid")]
    assert by_key[fallback_key]["rail"] == "check"
    assert by_key[fallback_key]["requested_rail"] == "zelle"
    assert by_key[returned_key]["status"] == "returned"  # final: the claim pays again, not us
    assert [a["status"] for a in by_key[returned_key]["attempts"]] == ["returned"]
    assert by_key[failed_key]["status"] == "failed"
    assert "BE23" in by_key[failed_key]["status_reason"]

    report = expect(await rails.http.get(f"{rails.urls.payouts}/v1/reconciliation",
                                         headers=rails.actors.payables), 200)
    mine = {a["id"] for p in payouts for a in p["attempts"]}
    assert [m for m in report["mismatches"] if m["end_to_end_id"] in mine] == []


async def test_payee_pii_is_masked_in_every_process_log(rails: Rails) -> None:
    payee = Payee(kind=PayeeKind.SERVICE_PRO, name=f"Private {rails.tag}",
                  email=f"private.{rails.tag}@fixit-pros.net", mobile="+15555550199",
                  address=MailingAddress(line1=f"{rails.tag} Secret Lane", city="Austin",
                                         state="TX", zip="73301"),
                  zelle_token=f"token.{rails.tag}@fixit-pros.net")
    await rails.payee(identifier=payee.zelle_token, zelle_enrolled=False)  # falls back: a check
    key = await rails.request(rails.command(Rail.ZELLE, payee))
    await rails.wait(key, {"submitted"}, attempts=2)  # the check of the fallback
    await rails.advance(15)
    await rails.assert_all_final_and_none_paid_twice()

    secrets = [payee.email, payee.mobile, f"{rails.tag} Secret Lane", payee.zelle_token]
    logs = {path.name: path.read_text(errors="replace") for path in LOG_DIR.glob("*.log")}
    assert any(key in text for text in logs.values())  # the flow did log
    leaks = [(name, s) for name, text in logs.items() for s in secrets if s and s in text]
    assert leaks == []


async def test_the_payouts_demo_runs_against_the_stack(urls: Urls) -> None:
    lines: list[str] = []
    await run_demo(urls, lines.append)
    assert any("by Zelle" in line and "24-hour promise" in line for line in lines)
    assert any(line.startswith("7. the check came back") for line in lines)
    assert [line for line in lines if "CASHED" in line and "9 Oak Ave" in line]
    assert any(line.startswith("10. claim paid") for line in lines)
