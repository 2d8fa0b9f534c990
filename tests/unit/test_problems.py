"""Every error of every API is problem details: validation, auth, unknown routes, crashes."""


import httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from shared.auth import Principal, Role, mint_token
from shared.auth.fastapi import require
from shared.money import Amount
from shared.problems import PROBLEM_JSON, ProblemError
from shared.settings import PlatformSettings
from tests.bare_app import bare_app
from tests.bare_app import call as request


class Body(BaseModel):
    amount: Amount


def make_app() -> FastAPI:
    app = bare_app()

    @app.post("/pay")
    async def pay(body: Body, who: Principal = Depends(require(Role.PAYABLES))) -> dict[str, str]:
        return {"amount": str(body.amount)}

    @app.get("/conflict")
    async def conflict() -> None:
        raise ProblemError(409, "already-approved", "Claim already approved", "claim 1")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    return app


async def call(method: str, path: str, **kw: object) -> httpx.Response:
    return await request(make_app(), method, path, **kw)


def auth(*roles: Role) -> dict[str, str]:
    s = PlatformSettings()
    tok = mint_token(secret=s.jwt_secret, issuer=s.jwt_issuer, audience=s.jwt_audience,
                     subject="u", roles=list(roles))
    return {"Authorization": f"Bearer {tok}"}


async def test_validation_error_is_a_422_problem() -> None:
    r = await call("POST", "/pay", json={"amount": "1.001"}, headers=auth(Role.PAYABLES))
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["type"] == "urn:warranty:problem:validation-error"
    assert r.json()["errors"][0]["loc"] == ["body", "amount"]


async def test_missing_token_is_401_and_wrong_role_403() -> None:
    assert (await call("POST", "/pay", json={"amount": "1.00"})).status_code == 401
    r = await call("POST", "/pay", json={"amount": "1.00"}, headers=auth(Role.CUSTOMER))
    assert r.status_code == 401  # a customer token without customer_id is not valid at all
    r = await call("POST", "/pay", json={"amount": "1.00"}, headers=auth(Role.AGENT))
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM_JSON


async def test_domain_problem_and_unknown_route() -> None:
    r = await call("GET", "/conflict")
    assert r.status_code == 409 and r.json()["type"].endswith("already-approved")
    assert (await call("GET", "/nowhere")).json()["status"] == 404


async def test_unexpected_error_is_a_500_problem_without_internals() -> None:
    r = await call("GET", "/boom")
    assert r.status_code == 500
    assert r.headers["content-type"] == PROBLEM_JSON
    assert "secret internals" not in r.text
    assert "x-correlation-id" in r.headers
