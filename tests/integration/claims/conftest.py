"""The claims API in process (``httpx.ASGITransport``) over a fresh, migrated database.

``Actors`` mints tokens for the roles in the seed flows; ``Flow`` drives the API through the
steps the tests share (contract -> request -> options -> Claim Credit -> payment option).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.claims.bootstrap import create_app
from services.claims.consumers.payout_events import payout_events_handler
from services.claims.service.context import ServiceContext
from services.claims.settings import ClaimsSettings
from shared.auth import Role, mint_token
from shared.messaging.consumer import Handler
from tests.conftest import MigratedDb
from tests.integration.api import in_process, ok

JWT_SECRET = "claims-integration-tests-secret-0123456789"
_customers = itertools.count(1)


@pytest.fixture(scope="session")
async def claims_settings(
    migrated_db: MigratedDb, amqp_url: str, mq_namespace: str
) -> ClaimsSettings:
    return ClaimsSettings(
        database_url=await migrated_db("claims"), amqp_url=amqp_url,
        mq_namespace=mq_namespace, jwt_secret=JWT_SECRET, approval_limit="1000.00",
        outbox_poll_interval_s=0.05,
    )


@pytest.fixture(scope="session")
def claims_app(claims_settings: ClaimsSettings) -> FastAPI:
    return create_app(claims_settings)


@pytest.fixture(scope="session")
async def client(claims_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app's client for the whole session, its lifespan running meanwhile."""
    async with in_process(claims_app, "http://claims.test") as http:
        yield http


@pytest.fixture(scope="session")
def claims(claims_app: FastAPI, client: httpx.AsyncClient) -> ServiceContext:
    """The context the app's lifespan (run by ``client``) made."""
    return claims_app.state.context  # type: ignore[no-any-return]


class Staff:
    """A staff member of the seed flows: ``actors.agent`` is a fresh token's headers."""

    def __init__(self, *roles: Role, subject: str) -> None:
        self.roles, self.subject = roles, subject

    def __get__(self, actors: Actors, owner: type[Actors]) -> dict[str, str]:
        return actors.headers(*self.roles, subject=self.subject)


@dataclass(frozen=True)
class Actors:
    settings: ClaimsSettings

    agent = Staff(Role.AGENT, subject="agent-1")
    support = Staff(Role.SUPPORT_SERVICES, subject="ss-1")
    supervisor = Staff(Role.SUPPORT_SERVICES, Role.OPS, subject="sup-1")
    byop_agent = Staff(Role.BYOP_AGENT, subject="byop-1")
    payables = Staff(Role.PAYABLES, subject="ap-1")

    def headers(self, *roles: Role, subject: str, customer_id: str | None = None) -> dict[str, str]:
        token = mint_token(
            secret=self.settings.jwt_secret, issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience, subject=subject, roles=list(roles),
            customer_id=customer_id,
        )
        return {"Authorization": f"Bearer {token}"}

    def customer(self, customer_id: str) -> dict[str, str]:
        return self.headers(Role.CUSTOMER, subject=f"user-{customer_id}", customer_id=customer_id)


@pytest.fixture
def handle(claims: ServiceContext) -> Handler:
    """The claims consumer's handler of the payouts service's reports (``payouts.*``)."""
    return payout_events_handler(claims)


@pytest.fixture(scope="session")
def actors(claims_settings: ClaimsSettings) -> Actors:
    return Actors(claims_settings)


@dataclass
class Flow:
    """One customer's contract and the API steps the tests share."""

    client: httpx.AsyncClient
    actors: Actors
    customer_id: str
    contract: dict[str, Any]

    @property
    def me(self) -> dict[str, str]:
        return self.actors.customer(self.customer_id)

    def item(self, kind: str) -> str:
        return str(next(i["id"] for i in self.contract["covered_items"] if i["kind"] == kind))

    async def request_service(self, kind: str = "microwave") -> dict[str, Any]:
        body = {"contract_id": self.contract["id"],
                "items": [{"covered_item_id": self.item(kind), "problem": "Does not work"}]}
        request = ok(await self.client.post("/v1/service-requests", json=body, headers=self.me),
                     201)
        return dict(request["orders"][0])

    async def offer_credit(self, order_id: str, amount: str = "250.00") -> dict[str, Any]:
        body = {"options": [{"kind": "replacement"}, {"kind": "claim_credit", "amount": amount}]}
        return dict(ok(await self.client.post(f"/v1/service-orders/{order_id}/options",
                                              json=body, headers=self.actors.agent), 201))

    async def accept_credit(
        self, kind: str = "microwave", amount: str = "250.00"
    ) -> dict[str, Any]:
        """Up to the customer accepting the Claim Credit; returns the acceptance."""
        order = await self.offer_credit((await self.request_service(kind))["id"], amount)
        credit = next(o for o in order["options"] if o["kind"] == "claim_credit")
        url = f"/v1/service-orders/{order['id']}/options/{credit['id']}/accept"
        return dict(ok(await self.client.post(url, headers=self.me)))

    async def choose_concourse(self, claim_id: str, **overrides: Any) -> httpx.Response:
        body = {"rail": "concourse", "accept_terms": True, **overrides}
        return await self.client.post(f"/v1/claims/{claim_id}/payment-option", json=body,
                                      headers=self.me)

    async def ready_claim(self, kind: str = "microwave", amount: str = "250.00") -> str:
        """A claim Under Review with Concourse selected: ready for Support Services."""
        claim = (await self.accept_credit(kind, amount))["claim"]
        ok(await self.choose_concourse(claim["id"]))
        return str(claim["id"])

    async def approve(
        self, claim_id: str, headers: dict[str, str] | None = None, key: str | None = None,
        **body: Any,
    ) -> httpx.Response:
        headers = dict(headers or self.actors.support)
        headers["Idempotency-Key"] = key or uuid.uuid4().hex
        return await self.client.post(f"/v1/claims/{claim_id}/approve", json=body,
                                      headers=headers)


def contract_body(customer_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "brand": "cinch",
        "holder_name": "Jane Doe",
        "email": "jane.doe@homemail.net",
        "mobile": "+15125550123",
        "mailing_address": {"line1": "12 Elm St", "city": "Austin", "state": "TX",
                            "zip": "78701"},
        "limits": {"service_fee": "100.00", "per_claim_cap": "1000.00",
                   "annual_aggregate": "10000.00"},
        "covered_items": [
            {"kind": "microwave", "description": "Over-the-range microwave",
             "model": "WMH31017HS", "serial": "SN123"},
            {"kind": "water_heater", "description": "50 gal gas water heater"},
        ],
    }
    body.update(overrides)
    return body


@pytest.fixture
async def flow(client: httpx.AsyncClient, actors: Actors) -> Flow:
    """A fresh customer with an active contract."""
    return await new_flow(client, actors)


async def new_flow(client: httpx.AsyncClient, actors: Actors, **overrides: Any) -> Flow:
    customer_id = f"cust-{uuid.uuid4().hex[:6]}-{next(_customers)}"
    contract = ok(await client.post("/v1/contracts", json=contract_body(customer_id, **overrides),
                                    headers=actors.agent), 201)
    return Flow(client, actors, customer_id, contract)
