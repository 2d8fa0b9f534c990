"""Bearer tokens: HS256 JWTs with issuer, audience, expiry and the caller's roles.

Only HS256 is accepted (never ``none``, never an algorithm named by the token itself).
A customer token carries ``customer_id``: the only customer whose data it may see.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

ALGORITHM = "HS256"


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BYOP_AGENT = "byop_agent"
    SUPPORT_SERVICES = "support_services"
    PAYABLES = "payables"
    OPS = "ops"
    SERVICE = "service"


class TokenError(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    customer_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_customer_only(self) -> bool:
        return self.roles == {Role.CUSTOMER}


def mint_token(
    *,
    secret: str,
    issuer: str,
    audience: str,
    subject: str,
    roles: list[Role] | list[str],
    customer_id: str | None = None,
    ttl: timedelta = timedelta(hours=8),
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    payload: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "jti": str(uuid.uuid4()),
        "roles": [Role(r).value for r in roles],
    }
    if customer_id is not None:
        payload["customer_id"] = customer_id
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_token(token: str, *, secret: str, issuer: str, audience: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
            leeway=5,
        )
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    try:
        roles = frozenset(Role(r) for r in claims.get("roles", []))
    except ValueError as exc:
        raise TokenError(f"unknown role in token: {exc}") from exc
    if not roles:
        raise TokenError("token carries no roles")
    customer_id = claims.get("customer_id")
    if Role.CUSTOMER in roles and not customer_id:
        raise TokenError("customer token carries no customer_id")
    return Principal(
        subject=str(claims["sub"]), roles=roles, customer_id=customer_id, claims=claims
    )
