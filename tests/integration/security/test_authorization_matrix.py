"""Every endpoint against every role and every kind of bad token: only what an endpoint declares
it allows gets past authentication and authorization.

Each protected route declares its roles with ``require(...)``; this test reads those declarations
from the running apps and checks the behaviour route by route, so a route that forgets
``require`` or a ``require`` that is not enforced fails here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from services.billing.bootstrap import create_app as billing_app
from services.billing.settings import BillingSettings
from services.claims.bootstrap import create_app as claims_app
from services.claims.settings import ClaimsSettings
from services.payouts.bootstrap import create_app as payouts_app
from services.payouts.settings import PayoutsSettings
from shared.auth import Role, mint_token
from shared.settings import ServiceSettings
from tests.conftest import MigratedDb

# Routes that authenticate otherwise (provider callbacks: HMAC signatures, tested elsewhere).
UNAUTHENTICATED = re.compile(r"^/v1/(callbacks|provider-callbacks)/")

SERVICES: dict[str, tuple[Callable[..., FastAPI], type[ServiceSettings]]] = {
    "claims": (claims_app, ClaimsSettings),
    "payouts": (payouts_app, PayoutsSettings),
    "billing": (billing_app, BillingSettings),
}


def allowed_roles(route: APIRoute) -> frozenset[Role] | None:
    for dependant in route.dependant.dependencies:
        roles = getattr(dependant.call, "allowed_roles", None)
        if roles is not None:
            return frozenset(roles)
    return None


def protected_routes(app: FastAPI) -> list[APIRoute]:
    # app.routes holds included routers unflattened (FastAPI >= 0.16x): walk their routes, or
    # this list is empty and every test below passes without checking anything.
    routes = [c.original_route for c in iter_route_contexts(app.routes)]
    found = [r for r in routes if isinstance(r, APIRoute) and r.path.startswith("/v1/")
             and not UNAUTHENTICATED.match(r.path)]
    assert len(found) > 5, "no /v1 route found: the walk over the routes is broken"
    return found


@pytest.fixture(scope="module", params=sorted(SERVICES))
async def service(request: pytest.FixtureRequest, migrated_db: MigratedDb, amqp_url: str,
                  mq_namespace: str) -> AsyncIterator[tuple[FastAPI, ServiceSettings]]:
    factory, settings_cls = SERVICES[request.param]
    settings = settings_cls(database_url=await migrated_db(request.param), amqp_url=amqp_url,
                            mq_namespace=mq_namespace)
    app = factory(settings)
    async with app.router.lifespan_context(app):
        yield app, settings


def token(settings: ServiceSettings, role: Role, **overrides: Any) -> str:
    args: dict[str, Any] = dict(
        secret=settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
        subject=f"matrix-{role.value}", roles=[role],
        customer_id="cust-matrix" if role is Role.CUSTOMER else None,
    )
    args.update(overrides)
    return mint_token(**args)


def bad_tokens(settings: ServiceSettings) -> dict[str, str | None]:
    return {
        "none": None,
        "expired": token(settings, Role.OPS, now=datetime.now(UTC) - timedelta(days=1),
                         ttl=timedelta(minutes=5)),
        "wrong-audience": token(settings, Role.OPS, audience="another-api"),
        "wrong-issuer": token(settings, Role.OPS, issuer="someone-else"),
        "wrong-secret": token(settings, Role.OPS, secret="x" * 48),
        "alg-none": jwt.encode({"sub": "x", "iss": settings.jwt_issuer,
                                "aud": settings.jwt_audience, "roles": ["ops"],
                                "exp": 4102444800}, key="", algorithm="none"),
    }


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def call(app: FastAPI, route: APIRoute, bearer: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    method = sorted((route.methods or set()) - {"HEAD"})[0]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://matrix") as client:
        return await client.request(method, concrete(route.path), headers=headers,
                                    json={} if method in ("POST", "PUT", "PATCH") else None)


async def test_every_v1_route_declares_its_roles(
    service: tuple[FastAPI, ServiceSettings],
) -> None:
    app, _ = service
    # An empty set is a declaration too: any authenticated role, scoped by the service.
    undeclared = [r.path for r in protected_routes(app) if allowed_roles(r) is None]
    assert undeclared == []


async def test_bad_tokens_never_pass(service: tuple[FastAPI, ServiceSettings]) -> None:
    app, settings = service
    for route in protected_routes(app):
        for name, bearer in bad_tokens(settings).items():
            response = await call(app, route, bearer)
            assert response.status_code == 401, f"{route.path} with {name} token"
            assert response.headers["content-type"] == "application/problem+json"


async def test_only_declared_roles_pass(service: tuple[FastAPI, ServiceSettings]) -> None:
    app, settings = service
    for route in protected_routes(app):
        allowed = allowed_roles(route) or frozenset(Role)  # empty: every authenticated role
        for role in Role:
            response = await call(app, route, token(settings, role))
            if role in allowed:
                assert response.status_code not in (401, 403), (
                    f"{route.path}: {role} is declared but refused ({response.status_code})")
                # A dependency this test does not run (the provider ledger) may answer 502
                # after authorization passed; an unexpected error is always internal-error.
                internal = "urn:warranty:problem:internal-error"
                assert response.status_code < 500 or response.json()["type"] != internal, (
                    f"{route.path}: {role} -> {response.text}")
            else:
                assert response.status_code == 403, (
                    f"{route.path}: {role} is not declared but got {response.status_code}")
