"""What every use case needs: the session factory, the policy, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.claims.domain.errors import NotFound
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.money import Money

PRODUCER = "claims"
SYSTEM = "system"  # the actor of timers and provider events

# Roles that act for the company; a token with none of them is a customer's.
STAFF_ROLES = frozenset(set(Role) - {Role.CUSTOMER})
SUPERVISOR_ROLES = frozenset({Role.OPS})


@dataclass(frozen=True)
class Policy:
    approval_limit: Money


@dataclass(frozen=True)
class Claims:
    """The service's use-case context (one per process)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    policy: Policy

    def uow(
        self, *, correlation_id: str | None = None, causation_id: str | None = None
    ) -> UnitOfWork:
        return UnitOfWork(
            self.sessionmaker, PRODUCER,
            correlation_id=correlation_id, causation_id=causation_id,
        )


def is_staff(principal: Principal) -> bool:
    return bool(principal.roles & STAFF_ROLES)


def is_supervisor(principal: Principal) -> bool:
    return bool(principal.roles & SUPERVISOR_ROLES)


def ensure_visible(principal: Principal, customer_id: str, what: str, ident: object) -> None:
    """A customer sees only their own data; anything else does not exist for them (404)."""
    if not is_staff(principal) and principal.customer_id != customer_id:
        raise NotFound(what, ident)
