"""Payouts against a real, migrated PostgreSQL database and the provider sandbox in process.

Wiring: the rail clients (built by the registry) reach the sandbox app over
``httpx.ASGITransport``; the sandbox posts its signed callbacks to the payouts app over another
``ASGITransport``. Nothing listens on a port, and each test starts from empty tables and a
reset sandbox.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.payouts.adapters.bank_auth import TokenSource
from services.payouts.bootstrap import create_app
from services.payouts.consumers.commands import request_payout_handler
from services.payouts.rails.jpm_payments.notifications import NotificationKeys
from services.payouts.rails.registry import rail_clients
from services.payouts.service.checks import checks_once
from services.payouts.service.context import ServiceContext
from services.payouts.settings import PayoutsSettings
from services.sandbox.app import create_app as create_sandbox_app
from services.sandbox.runtime import Sandbox
from services.sandbox.settings import SandboxSettings
from shared.auth import mint_token
from shared.db import create_engine, create_sessionmaker
from shared.messaging.contracts import (
    MailingAddress,
    Payee,
    PayeeKind,
    PayoutSource,
    RequestPayoutV1,
)
from shared.messaging.contracts import Rail as ContractRail
from shared.messaging.envelope import Envelope
from tests.conftest import MigratedDb

SECRET = "payouts-test-webhook-secret-0123456789"
PAYOUTS_BASE = "http://payouts.test"
SANDBOX_BASE = "http://sandbox.test"
# service_clock too: each test starts on the wall clock, as on a fresh database.
TABLES = ("payout_status_history, provider_events, check_issues, check_numbers, "
          "payout_attempts, payouts, payees, outbox, "
          "inbox, idempotency_keys, service_clock")


@pytest.fixture(scope="session")
async def payouts_settings(migrated_db: MigratedDb, mq_namespace: str,
                           amqp_url: str) -> PayoutsSettings:
    return PayoutsSettings(
        database_url=await migrated_db("payouts"),
        webhook_secret=SECRET,
        concourse_base_url=f"{SANDBOX_BASE}/tsapi/v1/concourse",
        callback_base_url=PAYOUTS_BASE,
        amqp_url=amqp_url,
        mq_namespace=mq_namespace,
        # Short, but not so short that a loaded CI machine times out an in-process answer.
        provider_timeout_s=1.5,
        provider_backoff_s=0.01,
        provider_max_backoff_s=1.5,
        poll_interval_s=0.5,
        dispatch_interval_s=0.05,
        recovery_interval_s=0.05,
    )


@pytest.fixture(scope="session")
async def engine(payouts_settings: PayoutsSettings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(payouts_settings.database_url, pool_size=5)
    yield engine
    await engine.dispose()


@dataclass
class World:
    deps: ServiceContext
    engine: AsyncEngine
    sandbox: Sandbox
    sandbox_http: httpx.AsyncClient
    api: httpx.AsyncClient
    app: FastAPI
    settings: PayoutsSettings

    async def sql(self, statement: str, **params: Any) -> list[Any]:
        async with self.engine.begin() as conn:
            result = await conn.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []

    async def ledger(self) -> list[dict[str, Any]]:
        payments: list[dict[str, Any]] = (await self.sandbox_http.get("/ledger")).json()[
            "payments"]
        return payments

    async def faults(self, **faults: Any) -> None:
        """Replace the sandbox faults; settlement stays on hold (``POST /sandbox/release``
        settles) unless ``hold_settlement=False`` is passed."""
        faults.setdefault("hold_settlement", True)
        response = await self.sandbox_http.put("/sandbox/faults", json=faults)
        assert response.status_code == 200, response.text

    async def outbox(self, type_: str) -> list[dict[str, Any]]:
        rows = await self.sql("SELECT body FROM outbox WHERE type = :t ORDER BY id", t=type_)
        return [Envelope.model_validate_json(row.body).payload for row in rows]

    async def request(self, command: RequestPayoutV1, envelope: Envelope | None = None) -> None:
        envelope = envelope or wrap(command)
        await request_payout_handler(self.deps)(envelope)

    def token(self, *roles: str, customer_id: str | None = None,
              subject: str = "tester") -> dict[str, str]:
        token = mint_token(secret=self.settings.jwt_secret, issuer=self.settings.jwt_issuer,
                           audience=self.settings.jwt_audience, subject=subject,
                           roles=list(roles), customer_id=customer_id)
        return {"Authorization": f"Bearer {token}"}

    async def settle(self) -> None:
        """Let the sandbox apply what is due now and deliver every callback."""
        await self.sandbox.ticker.tick()
        await self.sandbox.settler.idle()

    async def advance(self, days: int) -> None:
        response = await self.sandbox_http.post("/sandbox/clock/advance", json={"days": days})
        assert response.status_code == 200, response.text
        await self.sandbox.settler.idle()

    async def bank_pass(self) -> int:
        """One pass of the check loop: the bank's paid-items report, then the no-cash rule."""
        done = await checks_once(self.deps)
        await self.sandbox.settler.idle()
        return done

    async def move_clock(self, hours: int) -> dict[str, Any]:
        """Move the payouts clock forward over HTTP, as an operator (not the sandbox's)."""
        response = await self.api.post("/v1/ops/clock", json={"advance_seconds": hours * 3600},
                                       headers=self.token("ops"))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def payee(self, **behaviour: Any) -> None:
        response = await self.sandbox_http.put("/sandbox/payees", json=behaviour)
        assert response.status_code == 200, response.text


ADDRESS = MailingAddress(line1="12 Elm St", city="Springfield", state="IL", zip="62701")


def command(*, email: str = "jane.doe@gmail.com", amount: str = "125.00",
            key: str | None = None, rail: ContractRail = ContractRail.CONCOURSE,
            payee: Payee | None = None, contract_id: str = "ct-1") -> RequestPayoutV1:
    claim = str(uuid.uuid4())
    return RequestPayoutV1(
        payout_key=key or f"claim:{claim}:claim_credit",
        source=PayoutSource(claim_id=claim, service_job_id="job-1", contract_id=contract_id,
                            kind="claim_credit"),
        amount=Decimal(amount),
        rail=rail,
        payee=payee or Payee(kind=PayeeKind.CUSTOMER, name="Jane Doe", email=email,
                             mobile="+15555550100"),
        memo=f"Claim credit {claim[:8]}",
        requested_by="ss-approver-1",
    )


def pro(name: str = "Pat Pro", *, email: str | None = "pat@fixit-pros.net",
        mobile: str | None = None, address: MailingAddress | None = None) -> Payee:
    return Payee(kind=PayeeKind.SERVICE_PRO, name=name, email=email, mobile=mobile,
                 address=address)


def customer_by_check(name: str = "Jane Doe") -> Payee:
    return Payee(kind=PayeeKind.CUSTOMER, name=name, address=ADDRESS)


def wrap(message: RequestPayoutV1) -> Envelope:
    return Envelope.wrap(message, producer="claims", correlation_id=message.source.claim_id)


@pytest.fixture
async def world(payouts_settings: PayoutsSettings, engine: AsyncEngine, sandbox_db: str,
                ) -> AsyncIterator[World]:
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {TABLES}"))
    app = create_app(payouts_settings)
    async with app.router.lifespan_context(app):
        to_payouts = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                       base_url=PAYOUTS_BASE)
        sandbox_app = create_sandbox_app(
            SandboxSettings(webhook_secret=SECRET, settle_delay_ms=0, callback_retries=2,
                            database_url=sandbox_db,
                            jpm_client_url=f"{PAYOUTS_BASE}/v1/callbacks/jpm",
                            concourse_client_url=f"{PAYOUTS_BASE}/v1/callbacks/concourse",
                            callback_backoff_ms=10,
                            lob_webhook_url=payouts_settings.callback_url("check")),
            callback_client=to_payouts,
        )
        sandbox: Sandbox = sandbox_app.state.sandbox
        sandbox_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app),
                                         base_url=SANDBOX_BASE)
        # Every rail's client as the service builds it, over the in-process sandbox; the
        # J.P. Morgan rails share one token source.
        bank = TokenSource(payouts_settings.bank_credentials(), sandbox_http)
        rails = rail_clients(payouts_settings, bank=bank, client=sandbox_http)
        deps = ServiceContext(create_sessionmaker(engine), payouts_settings, rails=rails)
        # The API's void and stop reach the same sandbox, and it verifies the J.P. Morgan
        # callbacks with the sandbox bank's published keys.
        app.state.context = ServiceContext(app.state.sessionmaker, payouts_settings, rails=rails)
        app.state.notification_keys = NotificationKeys(
            f"{SANDBOX_BASE}/public-keys", sandbox_http, auth=bank)
        world = World(deps, engine, sandbox, sandbox_http, to_payouts, app, payouts_settings)
        await world.faults()
        try:
            yield world
        finally:
            await sandbox.aclose()
            await sandbox_http.aclose()
            await to_payouts.aclose()
