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
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError, field_validator

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


# The columns that record who acted (created_by, opened_by, decided_by, actor, the idempotency
# key's principal) hold 120 characters; a customer id is at most 120 wherever it is stored.
SUBJECT_MAX = 120
CUSTOMER_ID_MAX = 120
# Text a principal brings into rows: printable, and never a NUL (PostgreSQL refuses it).
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


class TokenClaims(BaseModel):
    """The claims of a correctly signed token, checked before anything uses them: a signed
    token is the issuer's word on who the caller is, not proof its claims fit the platform."""

    model_config = ConfigDict(extra="allow", frozen=True)

    sub: StrictStr = Field(min_length=1, max_length=SUBJECT_MAX, pattern=_PRINTABLE)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    customer_id: StrictStr | None = Field(default=None, min_length=1,
                                          max_length=CUSTOMER_ID_MAX, pattern=_PRINTABLE)

    @field_validator("roles", mode="before")
    @classmethod
    def _a_list_of_strings(cls, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
            raise ValueError("roles must be a list of role names")
        return value


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
        payload = TokenClaims.model_validate(claims)
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) or "token"
                         for err in exc.errors()})
        raise TokenError("token claims are not valid: " + ", ".join(fields)) from exc
    if Role.CUSTOMER in payload.roles and not payload.customer_id:
        raise TokenError("customer token carries no customer_id")
    return Principal(subject=payload.sub, roles=frozenset(payload.roles),
                     customer_id=payload.customer_id, claims=claims)
