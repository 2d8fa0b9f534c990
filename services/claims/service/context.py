"""What every use case needs: its unit of work, the policy, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass

from services.claims.adapters.orm.base import CLOCK
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.errors import NotFound
from shared.auth import Principal, Role
from shared.clock import ServiceClock
from shared.messaging.envelope import Envelope
from shared.money import Money
from shared.uow import Sessions

PRODUCER = "claims"
SYSTEM = "system"  # the actor of timers and provider events

# Roles that act for the company; a token with none of them is a customer's.
STAFF_ROLES = frozenset(set(Role) - {Role.CUSTOMER})
# The token roles are fixed (shared.auth.Role), so "supervisor" is a role, not a new one: ops
# approves above CLAIMS_APPROVAL_LIMIT (and the plan's per-claim cap) with an explicit
# override; support_services and payables approve up to the limit. Nobody approves their own.
SUPERVISOR_ROLES = frozenset({Role.OPS})


@dataclass(frozen=True)
class Policy:
    approval_limit: Money


@dataclass(frozen=True)
class ServiceContext:
    """The service's use-case context (one per process)."""

    # What ``uow()`` opens its transactions with; a use case opens a unit of work, never this.
    sessions: Sessions
    policy: Policy
    clock: ServiceClock = CLOCK  # what ``utcnow()`` reads; synced by the timers and ``follow``

    def uow(
        self, *, correlation_id: str | None = None, caused_by: Envelope | None = None
    ) -> ClaimsUnitOfWork:
        return ClaimsUnitOfWork(self.sessions, PRODUCER, correlation_id=correlation_id,
                     caused_by=caused_by)


def is_staff(principal: Principal) -> bool:
    return bool(principal.roles & STAFF_ROLES)


def is_supervisor(principal: Principal) -> bool:
    return bool(principal.roles & SUPERVISOR_ROLES)


def ensure_visible(principal: Principal, customer_id: str, what: str, ident: object) -> None:
    """A customer sees only their own data; anything else does not exist for them (404)."""
    if not is_staff(principal) and principal.customer_id != customer_id:
        raise NotFound(what, ident)
