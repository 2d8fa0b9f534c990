"""What every use case needs: the session factory, the policy, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.claims.adapters import repository as repo
from services.claims.adapters.orm.base import CLOCK
from services.claims.domain.errors import NotFound
from services.claims.service import audit
from shared.auth import Principal, Role
from shared.clock import ServiceClock
from shared.messaging.contracts import ClaimsStateChangedV1
from shared.money import Money
from shared.uow import UnitOfWork

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
class Claims:
    """The service's use-case context (one per process)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    policy: Policy
    clock: ServiceClock = CLOCK  # what ``utcnow()`` reads; synced by the timers and ``follow``

    def uow(
        self, *, correlation_id: str | None = None, causation_id: str | None = None
    ) -> ClaimsUnitOfWork:
        return ClaimsUnitOfWork(
            self.sessionmaker, PRODUCER,
            correlation_id=correlation_id, causation_id=causation_id,
        )


# On the timeline, never published: a limit hold moves only with its claim, in the transaction of
# a claim transition that is published (approve reserves, paid consumes, a failed, cancelled or
# returned payout releases), and its message would carry only the hold's own id and statuses
# (the contract has no amount or limit), so a consumer learns nothing from it that the claim's
# message does not tell, and it was a quarter of a paid claim's messages (bench/RESULTS.md).
TIMELINE_ONLY = frozenset({"limit_hold"})


class ClaimsUnitOfWork(UnitOfWork):
    """Every transition on the timeline (but limit holds', see ``TIMELINE_ONLY``) is also a
    ``claims.state_changed`` in the outbox."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        audit.open_trail(self.session)
        return self

    async def commit(self) -> None:
        entries = audit.staged(self.session)
        if entries:
            await repo.insert_audit(self.session, entries)
        for row in entries:
            if row.from_status is None and row.to_status is None:
                continue  # not a transition: on the timeline only
            if row.entity in TIMELINE_ONLY:
                continue
            reason = row.detail.get("reason")
            self.emit(
                ClaimsStateChangedV1(
                    entity=row.entity, entity_id=row.entity_id, action=row.action,
                    from_status=row.from_status, to_status=row.to_status, actor=row.actor,
                    reason=None if reason is None else str(reason), at=row.at,
                ),
                correlation_id=self.correlation_id or str(row.job_id or row.entity_id),
            )
        await super().commit()


def is_staff(principal: Principal) -> bool:
    return bool(principal.roles & STAFF_ROLES)


def is_supervisor(principal: Principal) -> bool:
    return bool(principal.roles & SUPERVISOR_ROLES)


def ensure_visible(principal: Principal, customer_id: str, what: str, ident: object) -> None:
    """A customer sees only their own data; anything else does not exist for them (404)."""
    if not is_staff(principal) and principal.customer_id != customer_id:
        raise NotFound(what, ident)
