"""J.P. Morgan's OAuth2 token endpoint stand-in (client credentials, RFC 7523 client
assertion) and the bearer check of its API routes.

The assertion must be a JWT signed with the client's registered public key (RS256, PS256 or
ES256), iss = sub = the client id, aud = the token URL the client called, unexpired, with a
jti never seen before (a replayed assertion is refused). The answer is a short-lived opaque
bearer token; the Concourse and Zelle routes refuse a call without a live one (401 problem).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qs

import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from shared.bank_keys import dev_public_key_pem
from shared.problems import ProblemError

from .settings import SandboxSettings

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["RS256", "PS256", "ES256"]
CLAIMS = ["iss", "sub", "aud", "exp", "jti"]


class InvalidClientError(Exception):
    """RFC 6749 §5.2 ``invalid_client``: the assertion does not authenticate the client."""


class Authority:
    """The tokens the sandbox issued and the assertion ids it has seen, in memory: unlike its
    payments they are not kept, so a restart revokes every token and a client fetches a new
    one on the 401 (payouts does), as after a bank revoking its tokens."""

    def __init__(self, settings: SandboxSettings,
                 wall: Callable[[], float] = time.time) -> None:
        self._client_id = settings.client_id
        self._public_key = (settings.client_public_key_file.read_bytes()
                            if settings.client_public_key_file else dev_public_key_pem())
        self._lifetime_s = settings.token_lifetime_s
        self._wall = wall
        self._tokens: dict[str, float] = {}
        self._seen_jti: dict[str, float] = {}
        self.issued = 0

    def issue(self, assertion: str, audience: str) -> dict[str, Any]:
        claims = self._verified(assertion, audience)
        now = self._wall()
        # Forget what expired: an expired assertion is refused by its exp anyway.
        self._seen_jti = {j: exp for j, exp in self._seen_jti.items() if exp > now}
        if claims["jti"] in self._seen_jti:
            raise InvalidClientError("assertion jti already used")
        self._seen_jti[str(claims["jti"])] = float(claims["exp"])
        token = secrets.token_urlsafe(32)
        self._tokens[token] = now + self._lifetime_s
        self.issued += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": self._lifetime_s}

    def _verified(self, assertion: str, audience: str) -> dict[str, Any]:
        try:
            return jwt.decode(assertion, self._public_key, algorithms=ALGORITHMS,
                              audience=audience, issuer=self._client_id,
                              options={"require": CLAIMS})
        except jwt.PyJWTError as exc:
            raise InvalidClientError(f"client assertion refused: {exc}") from exc

    def check(self, token: str) -> bool:
        expires = self._tokens.get(token)
        return expires is not None and expires > self._wall()

    def expire_all(self) -> int:
        """Tests: every issued token stops working now, as if the bank revoked them."""
        count = len(self._tokens)
        self._tokens.clear()
        return count


def authority(request: Request) -> Authority:
    found = request.app.state.sandbox.authority
    assert isinstance(found, Authority)
    return found


AuthorityDep = Annotated[Authority, Depends(authority)]

router = APIRouter(tags=["oauth2"])


@router.post(
    "/oauth2/token",
    summary="Access token for a client assertion (RFC 7523)",
    description="grant_type=client_credentials with client_assertion_type "
    f"`{ASSERTION_TYPE}` and a client_assertion signed with the client's key. 200: a bearer "
    "token valid for `expires_in` seconds; 400 `unsupported_grant_type`; 401 "
    "`invalid_client` (bad signature, issuer, audience, expiry or a reused jti).",
    responses={401: {"description": "invalid_client"}, 400: {"description": "bad request"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "required": ["grant_type", "client_assertion_type", "client_assertion"],
            "properties": {name: {"type": "string"} for name in (
                "grant_type", "scope", "client_assertion_type", "client_assertion")},
        }}}}},
)
async def token(request: Request, auth: AuthorityDep) -> JSONResponse:
    # Parsed here rather than with FastAPI's Form(): that needs python-multipart, a
    # dependency for one urlencoded body of four fields.
    form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
    grant_type = form.get("grant_type")
    client_assertion_type = form.get("client_assertion_type")
    client_assertion = form.get("client_assertion", "")
    if grant_type != "client_credentials" or client_assertion_type != ASSERTION_TYPE:
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    try:
        answer = auth.issue(client_assertion, audience=str(request.url))
    except InvalidClientError as exc:
        return JSONResponse({"error": "invalid_client", "error_description": str(exc)},
                            status_code=401)
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


@router.post("/sandbox/oauth2/expire", tags=["sandbox control"],
             summary="Revoke every issued token (tests: the next call gets a 401)")
async def expire_tokens(auth: AuthorityDep) -> dict[str, int]:
    return {"expired": auth.expire_all()}


async def require_bearer(request: Request, auth: AuthorityDep) -> None:
    """A J.P. Morgan route's guard: a live bearer token, or a 401 problem."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not auth.check(value.strip()):
        raise ProblemError(401, "unauthorized", "Unauthorized",
                           "a valid bearer token from /oauth2/token is required",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
