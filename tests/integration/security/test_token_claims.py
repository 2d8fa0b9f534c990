"""Regression (issue 17, item 2e): a correctly signed token whose claims have the wrong shape
(``roles`` null or a number, a ``sub`` longer than the 120 characters the actor columns hold)
got past ``decode_token`` as a TypeError or reached the database: a 500. The payload is
validated by one pydantic model in ``shared.auth.tokens``; any misfit is a 401 problem."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import pytest

from services.claims.settings import ClaimsSettings
from shared.auth import TokenError, decode_token
from shared.auth.tokens import SUBJECT_MAX
from shared.settings import ServiceSettings
from tests.integration.security.conftest import assert_problem, nothing_stored
from tests.integration.security.test_nul_characters import contract_example


def signed(settings: ServiceSettings, **claims: Any) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {"iss": settings.jwt_issuer, "aud": settings.jwt_audience,
                               "sub": "agent-1", "iat": now, "nbf": now, "exp": now + 600,
                               "jti": str(uuid.uuid4()), "roles": ["agent"]}
    payload.update(claims)
    for name in [k for k, v in claims.items() if v is _ABSENT]:
        del payload[name]
    return jwt.encode(payload, settings.jwt_secret, algorithm="HS256")


_ABSENT = object()
MISSHAPEN: dict[str, dict[str, Any]] = {
    "roles-null": {"roles": None},
    "roles-number": {"roles": 7},
    "roles-string": {"roles": "agent"},
    "roles-object": {"roles": {"agent": True}},
    "roles-nested": {"roles": [["agent"]]},
    "roles-absent": {"roles": _ABSENT},
    "sub-too-long": {"sub": "a" * (SUBJECT_MAX + 1)},
    "sub-empty": {"sub": ""},
    "sub-nul": {"sub": "agent\x00"},
    "customer-id-number": {"roles": ["customer"], "customer_id": 12},
    "customer-id-too-long": {"roles": ["customer"], "customer_id": "c" * 200},
}


@pytest.mark.parametrize("name", MISSHAPEN)
async def test_a_signed_token_with_misshapen_claims_is_refused(
    claims: tuple[httpx.AsyncClient, ClaimsSettings], name: str,
) -> None:
    client, settings = claims
    token = signed(settings, **MISSHAPEN[name])
    with pytest.raises(TokenError):
        decode_token(token, secret=settings.jwt_secret, issuer=settings.jwt_issuer,
                     audience=settings.jwt_audience)
    async with nothing_stored(settings):
        response = await client.post("/v1/contracts", json=contract_example(),
                                     headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401, "unauthenticated")


async def test_a_subject_of_the_column_length_is_served(
    claims: tuple[httpx.AsyncClient, ClaimsSettings],
) -> None:
    client, settings = claims
    token = signed(settings, sub="a" * SUBJECT_MAX)
    response = await client.post("/v1/contracts", json=contract_example(),
                                 headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
