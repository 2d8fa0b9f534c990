"""The Terms and Conditions are served by version, and only the current one can be accepted."""

from __future__ import annotations

import httpx

from services.claims.service.context import ServiceContext
from tests.integration.api import ok, problem

from .conftest import Flow
from .test_claim_credit_flow import outbox_commands


async def test_the_current_terms_are_served_with_their_text(flow: Flow) -> None:
    current = ok(await flow.client.get("/v1/terms", headers=flow.me))
    assert current["current"] is True and current["version"] in current["published_versions"]
    assert "Concourse" in current["text"] and current["title"]
    same = ok(await flow.client.get(f"/v1/terms/{current['version']}", headers=flow.me))
    assert same == current
    problem(await flow.client.get("/v1/terms/1999-01", headers=flow.me), 404, "not-found")


async def test_terms_need_a_caller(client: httpx.AsyncClient) -> None:
    problem(await client.get("/v1/terms"), 401, "unauthenticated")


async def test_an_unpublished_terms_version_is_refused_and_nothing_is_stored(
    flow: Flow, claims: ServiceContext
) -> None:
    claim = (await flow.accept_credit())["claim"]
    for version in ("2099-01", "2026-1", "latest"):
        body = problem(await flow.choose_concourse(claim["id"], terms_version=version), 422,
                       "unknown-terms-version")
        assert "GET /v1/terms" in body["detail"]
    after = ok(await flow.client.get(f"/v1/claims/{claim['id']}", headers=flow.me))
    assert after["payment"] is None
    # The published version is accepted and recorded.
    chosen = ok(await flow.choose_concourse(claim["id"], terms_version="2026-01"))
    assert chosen["payment"]["terms_version"] == "2026-01"
    ok(await flow.approve(claim["id"]))
    assert len(await outbox_commands(claims, claim["id"])) == 1
