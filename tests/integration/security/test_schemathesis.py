"""schemathesis against the claims, payouts and billing OpenAPI documents, with valid tokens.

Every operation gets generated requests (data that fits the schema, and data that does not) sent
in-process to the real app, on a real migrated database. No answer may be a 5xx, every answer
must match the status codes and schemas the document declares. A 422 problem for garbage is the
right answer; a 500 is a bug.

Bounded so the three services finish in well under two minutes on a small machine: a fixed
number of examples per operation and mode, no shrinking, a fixed seed (reproducible failures).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi as schemathesis_asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from harness.ports import free_port
from services.billing.bootstrap import create_app as billing_app
from services.billing.settings import BillingSettings
from services.claims.bootstrap import create_app as claims_app
from services.claims.settings import ClaimsSettings
from services.payouts.bootstrap import create_app as payouts_app
from services.payouts.settings import PayoutsSettings
from services.sandbox.app import create_app as sandbox_app
from services.sandbox.settings import SandboxSettings
from shared.auth import Role, mint_token
from shared.settings import ServiceSettings
from tests.conftest import MigratedDb
from tests.threaded_server import served_in_thread

MAX_EXAMPLES = 12
# A dependency the service calls (provider ledger, card gateway) may be down; the documented
# 502/503 problem that says so is the right answer, not a bug.
DEPENDENCY_DOWN = {502, 503}


def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    documented = str(response.status_code) in case.operation.definition.raw["responses"]
    if response.status_code in DEPENDENCY_DOWN and documented:
        body = response.json()
        if body.get("type", "").startswith("urn:warranty:problem:") and (
                body["type"] != "urn:warranty:problem:internal-error"):
            return True
    return not_a_server_error(ctx, response, case)


CHECKS = [no_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
STAFF: list[Role] = [role for role in Role if role is not Role.CUSTOMER]

SERVICES: dict[str, tuple[Callable[..., FastAPI], type[ServiceSettings]]] = {
    "claims": (claims_app, ClaimsSettings),
    "payouts": (payouts_app, PayoutsSettings),
    "billing": (billing_app, BillingSettings),
}


@pytest.fixture(scope="module")
async def database_urls(migrated_db: MigratedDb) -> dict[str, str]:
    return {name: await migrated_db(name) for name in SERVICES}


@pytest.fixture(scope="module")
def sandbox_url(module_sandbox_db: str) -> Iterator[str]:
    """The provider sandbox on a loopback port (reconciliation reads its ledger, billing
    charges its gateway), served by uvicorn in a thread for the module."""
    port = free_port()
    with served_in_thread(sandbox_app(SandboxSettings(database_url=module_sandbox_db)), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def apps_stopped() -> Iterator[None]:
    # schemathesis starts each app's lifespan on its own event loop thread; stop them (and so
    # dispose of their database pools) before the databases are dropped.
    yield
    schemathesis_asgi.shutdown_lifespans()


def route_roles(app: FastAPI) -> dict[tuple[str, str], frozenset[Role]]:
    """What each route declares it allows (``require(...)``), by (METHOD, path template)."""
    out: dict[tuple[str, str], frozenset[Role]] = {}
    # app.routes holds included routers unflattened (FastAPI >= 0.16x); walk their routes.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for dependant in route.dependant.dependencies:
            roles = getattr(dependant.call, "allowed_roles", None)
            if roles is not None:
                for method in route.methods or ():
                    out[(method, context.path or route.path)] = frozenset(roles)
    assert out, "no route declares its roles: the walk over the routes is broken"
    return out


def bearer_for(settings: ServiceSettings, allowed: frozenset[Role] | None) -> dict[str, str]:
    """A valid token able to pass the route's role check: staff roles, or a customer's."""
    if allowed is None:
        return {}
    customer_only = allowed == {Role.CUSTOMER}
    token = mint_token(
        secret=settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
        subject="schemathesis", roles=[Role.CUSTOMER] if customer_only else STAFF,
        customer_id="cust-schemathesis" if customer_only else None,
    )
    return {"Authorization": f"Bearer {token}"}


def fuzz_operation(operation: Any, headers: dict[str, str], mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, phases=[Phase.explicit, Phase.generate],
              deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        # Generated cases may carry a made-up Authorization header; the valid token replaces it.
        case.headers = {k: v for k, v in (case.headers or {}).items()
                        if k.lower() != "authorization"}
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if headers and mode is GenerationMode.POSITIVE:
            # The token is valid: a 401 would mean the run exercised nothing behind it. (Negative
            # cases include requests schemathesis sends without the credentials on purpose.)
            assert response.status_code != 401, response.text

    run()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_server_error_and_every_answer_matches_the_document(
    service: str, database_urls: dict[str, str], amqp_url: str, mq_namespace: str,
    sandbox_url: str, apps_stopped: None,
) -> None:
    factory, settings_cls = SERVICES[service]
    providers: dict[str, Any] = {
        "payouts": {"concourse_base_url": f"{sandbox_url}/tsapi/v1/concourse"},
        "billing": {"gateway_base_url": f"{sandbox_url}/gateway/v1"},
    }.get(service, {})
    service_settings = settings_cls(database_url=database_urls[service], amqp_url=amqp_url,
                                    mq_namespace=mq_namespace, **providers)
    app = factory(service_settings)
    roles = route_roles(app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"an operation schemathesis cannot use: {result}"
        operation = result.ok()
        operations += 1
        headers = bearer_for(service_settings, roles.get((operation.method.upper(),
                                                          operation.path)))
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz_operation(operation, headers, mode)
            except Unsatisfiable:
                # Nothing to get wrong (no parameters, no body): no negative case exists.
                assert mode is GenerationMode.NEGATIVE, operation.label
            # schemathesis' failure groups are BaseExceptionGroups; collect every one, so one
            # run shows every broken operation.
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert operations > 10
    assert failures == [], "\n\n".join(failures)
