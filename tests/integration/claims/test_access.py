"""Who may see and do what: customers see only their own (404 otherwise), roles gate actions."""

from __future__ import annotations

import httpx

from tests.integration.api import ok, problem

from .conftest import Actors, Flow, new_flow


async def test_another_customer_sees_nothing(
    flow: Flow, client: httpx.AsyncClient, actors: Actors
) -> None:
    accepted = await flow.accept_credit()
    claim = accepted["claim"]
    stranger = actors.customer("someone-else")
    for url in (f"/v1/claims/{claim['id']}", f"/v1/claims/{claim['id']}/timeline",
                f"/v1/contracts/{flow.contract['id']}", f"/v1/service-orders/{accepted['id']}",
                f"/v1/service-jobs/{claim['job_id']}"):
        problem(await client.get(url, headers=stranger), 404, "not-found")
    response = await client.post(f"/v1/claims/{claim['id']}/payment-option", headers=stranger,
                                 json={"rail": "concourse", "accept_terms": True})
    problem(response, 404, "not-found")
    assert ok(await client.get("/v1/claims", headers=stranger)) == []
    mine = ok(await client.get("/v1/claims", headers=flow.me))
    assert [c["id"] for c in mine] == [claim["id"]]


async def test_a_customer_cannot_approve_post_options_or_open_contracts(flow: Flow) -> None:
    claim_id = await flow.ready_claim()
    problem(await flow.approve(claim_id, headers=flow.me), 403, "forbidden")
    order = await flow.request_service()
    response = await flow.client.post(f"/v1/service-orders/{order['id']}/options",
                                      json={"options": [{"kind": "repair"}]}, headers=flow.me)
    problem(response, 403, "forbidden")
    response = await flow.client.post("/v1/contracts", json={}, headers=flow.me)
    problem(response, 403, "forbidden")


async def test_no_token_is_a_401_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/claims")
    problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_only_active_contracts_get_service(client: httpx.AsyncClient, actors: Actors) -> None:
    flow = await new_flow(client, actors, status="dunning")
    body = {"contract_id": flow.contract["id"],
            "items": [{"covered_item_id": flow.item("microwave"), "problem": "no heat"}]}
    problem(await client.post("/v1/service-requests", json=body, headers=flow.me), 409,
            "not-entitled")


async def test_only_covered_items_get_service(flow: Flow) -> None:
    other = await new_flow(flow.client, flow.actors)
    body = {"contract_id": flow.contract["id"],
            "items": [{"covered_item_id": other.item("microwave"), "problem": "no heat"}]}
    problem(await flow.client.post("/v1/service-requests", json=body, headers=flow.me), 422,
            "item-not-covered")


async def test_money_is_validated_at_the_edge(flow: Flow) -> None:
    order = await flow.request_service()
    for amount in (12.5, "0", "-1", "1.001", "1000000.00"):
        response = await flow.client.post(
            f"/v1/service-orders/{order['id']}/options",
            json={"options": [{"kind": "claim_credit", "amount": amount}]},
            headers=flow.actors.agent)
        problem(response, 422, "validation-error")
    response = await flow.client.post(
        f"/v1/service-orders/{order['id']}/options",
        json={"options": [{"kind": "repair", "amount": "10.00"}]}, headers=flow.actors.agent)
    problem(response, 422, "invalid-options")


async def test_openapi_documents_every_route(client: httpx.AsyncClient) -> None:
    spec = ok(await client.get("/openapi.json"))
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            assert operation["summary"] and operation["tags"], path
            assert "401" in operation["responses"], path
