"""Issue 17, item 2h. A query value of the wrong type is a 422 problem on every list route; a
body that is not JSON (text/plain, a form) on a JSON route is a 415 problem, answered by the
shared app factory before the body is read or validated."""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.billing.settings import BillingSettings
from services.claims.settings import ClaimsSettings
from services.payouts.settings import PayoutsSettings
from shared.auth import Role
from shared.settings import ServiceSettings
from tests.integration.security.conftest import assert_problem, bearer, nothing_stored

ID = str(uuid.uuid4())
NOT_JSON = [("text/plain", b'{"name": "Acme"}'), ("application/x-www-form-urlencoded", b"a=1"),
            ("multipart/form-data; boundary=x", b"--x\r\n\r\n--x--"), ("application/xml", b"<a/>"),
            ("application/jsonx", b"{}")]


async def assert_not_json_refused(client: httpx.AsyncClient, settings: ServiceSettings,
                                  role: Role, path: str) -> None:
    async with nothing_stored(settings):
        for media, raw in NOT_JSON:
            response = await client.post(path, content=raw, headers={
                **bearer(settings, role), "Content-Type": media, "Idempotency-Key": "k-1"})
            assert_problem(response, 415, "unsupported-media-type")


async def test_claims_json_routes_refuse_other_media(
    claims: tuple[httpx.AsyncClient, ClaimsSettings],
) -> None:
    client, settings = claims
    for path in ("/v1/contracts", f"/v1/service-jobs/{ID}/exceptions",
                 f"/v1/claims/{ID}/approve"):
        await assert_not_json_refused(client, settings, Role.AGENT, path)


async def test_billing_json_routes_refuse_other_media(
    billing: tuple[httpx.AsyncClient, BillingSettings],
) -> None:
    client, settings = billing
    for path in ("/v1/accounts", f"/v1/accounts/{ID}/invoices"):
        await assert_not_json_refused(client, settings, Role.AGENT, path)


async def test_payouts_json_routes_refuse_other_media(
    payouts: tuple[httpx.AsyncClient, PayoutsSettings],
) -> None:
    client, settings = payouts
    await assert_not_json_refused(client, settings, Role.PAYABLES, f"/v1/payouts/{ID}/cancel")


async def test_json_with_a_charset_and_a_json_suffix_are_accepted(
    billing: tuple[httpx.AsyncClient, BillingSettings],
) -> None:
    client, settings = billing
    for media in ("application/json; charset=utf-8", "application/merge-patch+json",
                  "Application/JSON"):
        response = await client.post("/v1/accounts", content=b'{"name": ""}', headers={
            **bearer(settings, Role.AGENT), "Content-Type": media})
        assert_problem(response, 422, "validation-error")


LIST_QUERIES = {
    "claims": [("/v1/claims", {"status": "bogus"}), ("/v1/claims", {"limit": "abc"}),
               ("/v1/claims", {"limit": "0"}), ("/v1/claims/abc", {}),
               ("/v1/claims/abc/timeline", {})],
    "billing": [(f"/v1/accounts/{ID}/invoices", {"status": "bogus"}),
                (f"/v1/accounts/{ID}/payments", {"limit": "abc"}),
                ("/v1/accounts/abc/invoices", {}), ("/v1/accounts/abc/contacts", {}),
                ("/v1/accounts", {})],
    "payouts": [("/v1/payouts", {"status": "bogus"}), ("/v1/payouts", {"rail": "fax"}),
                ("/v1/payouts", {"limit": "abc"}), ("/v1/payouts", {"created_from": "abc"}),
                ("/v1/payouts", {"claim_id": "abc"}),
                ("/v1/payouts/at-risk", {"within_hours": "abc"}),
                ("/v1/payouts/at-risk", {"limit": "-1"}), ("/v1/payouts/abc", {})],
}


LIST_ROLE = {"claims": Role.AGENT, "billing": Role.AGENT, "payouts": Role.OPS}


@pytest.mark.parametrize(("api", "path", "params"), [
    (service, path, params) for service, queries in LIST_QUERIES.items()
    for path, params in queries], indirect=["api"])
async def test_list_queries_are_validated(
    api: tuple[httpx.AsyncClient, ServiceSettings], path: str, params: dict[str, str],
) -> None:
    client, settings = api
    role = LIST_ROLE[settings.service_name]
    response = await client.get(path, params=params, headers=bearer(settings, role))
    assert_problem(response, 422, "validation-error")
