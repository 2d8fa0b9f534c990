"""The provider sandbox forgets nothing when it is killed, as a bank would not: its payments,
the bank's positive-pay records, payee behaviours and its clock live in its own database.

One sandbox process on its own database, SIGKILLed with a payment of every rail in flight and
started again: the ledger is whole, a repeat is still a status query and not a second payment,
a Concourse payee due to register on the dead process's timer is paid, and a check mailed
before the kill is paid by the bank against the issue record uploaded before it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from harness.ports import free_port
from services.payouts.rails.lob_checks import positive_pay as pp
from shared.money import Money
from tests.bank_tokens import authorize
from tests.e2e.stack import REPO
from tests.sandbox.conftest import CONCOURSE, CONCOURSE_STATUS, payment_body
from tests.sandbox.test_sandbox_rails import ACCOUNT, CHECKS, ZELLE, check_body, zelle_body

SETTLE_MS = 1500  # long enough to kill the sandbox before the Concourse payee registers


@dataclass
class SandboxProcess:
    env: dict[str, str]
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "services.sandbox"], env=self.env,
                                     cwd=REPO, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the sandbox exited"
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("the sandbox did not become ready")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)  # no shutdown: nothing flushed, nothing said
        self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def sandbox(sandbox_db: str) -> Iterator[SandboxProcess]:
    nowhere = f"http://127.0.0.1:{free_port()}"  # callbacks fail; the ledger is what counts
    env = {**os.environ, "SANDBOX_DATABASE_URL": sandbox_db, "SANDBOX_PORT": "0",
           "SANDBOX_SETTLE_DELAY_MS": str(SETTLE_MS), "SANDBOX_CALLBACK_RETRIES": "0",
           "SANDBOX_JPM_CLIENT_URL": nowhere, "SANDBOX_CONCOURSE_CLIENT_URL": nowhere,
           "SANDBOX_LOB_WEBHOOK_URL": nowhere, "LOG_LEVEL": "WARNING"}
    process = SandboxProcess(env, free_port())
    process.env["SANDBOX_PORT"] = str(process.port)
    process.start()
    yield process
    if process.proc is not None:
        process.kill()


@pytest.fixture
async def http(sandbox: SandboxProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as client:
        await authorize(client)
        yield client


async def ledger(http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    answer = (await http.get("/ledger")).raise_for_status().json()
    return {entry["endToEndId"]: entry for entry in answer["payments"]}


async def concourse_status(http: httpx.AsyncClient, eid: str) -> str:
    answer = await http.get(CONCOURSE_STATUS, params={"endToEndId": eid})
    status: str = answer.raise_for_status().json()["paymentStatus"]["status"]
    return status


async def test_a_killed_sandbox_resumes_every_payment_where_it_stood(
    sandbox: SandboxProcess, http: httpx.AsyncClient,
) -> None:
    await http.put("/sandbox/payees", json={"identifier": "pat@fixit-pros.net",
                                             "zelle_reject_code": "AM04"})
    zelle = (await http.post(ZELLE, json=zelle_body("RZ1"))).raise_for_status().json()
    check = check_body("RC1")
    record = pp.IssueRecord(ACCOUNT, check["check_number"], Money.of("250.00"), date.today(),
                            "Jane Doe", False)
    (await http.post("/positive-pay/v1/issues", content=pp.issue_file([record]).encode(),
                     headers={"Content-Type": pp.MEDIA_TYPE})).raise_for_status()
    created = (await http.post(CHECKS, json=check, headers={"Idempotency-Key": "RC1"})
               ).raise_for_status().json()
    (await http.post("/sandbox/clock/advance", json={"days": 2})).raise_for_status()
    (await http.post(CONCOURSE, json=payment_body("RK1"))).raise_for_status()
    before = await ledger(http)
    assert before["RK1"]["status"] == "INVITED"  # the payee registers on a timer, not yet

    sandbox.kill()
    sandbox.start()

    after = await ledger(http)
    assert list(after) == ["RZ1", "RC1", "RK1"]
    assert {e: after[e]["paymentId"] for e in after} == {e: before[e]["paymentId"] for e in after}
    assert after["RZ1"]["status"] == "REJECTED"  # the behaviour set before the kill held
    assert after["RC1"]["status"] == "IN_TRANSIT"  # two days on the clock, kept
    clock = (await http.get("/sandbox/clock")).json()
    assert clock["offset_s"] == pytest.approx(2 * 86400)
    # Access tokens are the one thing not kept: a restart revokes them, and the client gets a
    # new one on the 401 (as payouts' token source does).
    assert (await http.post(ZELLE, json=zelle_body("RZ1"))).status_code == 401
    await authorize(http)
    # A repeat after the restart is a status query: the same payment, not a second one.
    repeat = await http.post(ZELLE, json=zelle_body("RZ1"))
    assert repeat.status_code == 202
    assert repeat.json() == zelle
    assert len(await ledger(http)) == 3

    for _ in range(100):  # the dead process's settle timer, resumed by the new one
        if await concourse_status(http, "RK1") == "COMPLETED":
            break
        await asyncio.sleep(0.1)
    assert await concourse_status(http, "RK1") == "COMPLETED"

    (await http.post("/sandbox/clock/advance", json={"days": 10})).raise_for_status()
    assert (await http.get(f"{CHECKS}/{created['id']}")).json()["id"] == created["id"]
    paid = (await http.get("/positive-pay/v1/paid-items",
                           params={"account_number": ACCOUNT, "since": "2000-01-01"})).text
    assert f"{ACCOUNT},{check['check_number']},250.00," in paid
    final = await ledger(http)
    assert final["RC1"]["status"] == "CASHED" and final["RC1"]["settled"] is True
    assert [p["endToEndId"] for p in final.values() if p["settled"]] == ["RC1", "RK1"]
