"""What every use case needs: its unit of work, the gateway port, the policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.billing.adapters.gateway import Charged, Declined, Refunded
from services.billing.adapters.unit_of_work import BillingUnitOfWork
from shared.auth import Principal, Role
from shared.messaging.envelope import Envelope
from shared.money import Money
from shared.uow import Sessions

PRODUCER = "billing"
CLAIMS_ACTOR = "claims-events"  # creator of what the claims events bring in

# Roles that act for the company; a token with none of them is a portal user's.
STAFF_ROLES = frozenset(set(Role) - {Role.CUSTOMER})


class Gateway(Protocol):
    async def charge(self, key: str, amount: Money, method_token: str, description: str
                     ) -> Charged | Declined: ...

    async def refund(self, key: str, charge_id: str, amount: Money) -> Refunded: ...


@dataclass(frozen=True)
class ServiceContext:
    """The service's use-case context (one per process)."""

    sessions: Sessions  # what ``uow()`` opens its transactions with, nothing else
    gateway: Gateway
    invoice_terms_days: int = 30

    def uow(
        self, *, correlation_id: str | None = None, caused_by: Envelope | None = None
    ) -> BillingUnitOfWork:
        return BillingUnitOfWork(self.sessions, PRODUCER, correlation_id=correlation_id,
                     caused_by=caused_by)


def is_staff(principal: Principal) -> bool:
    return bool(principal.roles & STAFF_ROLES)
