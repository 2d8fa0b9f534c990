"""What every use case runs with: its unit of work, the rail adapters, the policy and a clock."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain.model import Rail
from services.payouts.service.ports import RailAdapter
from services.payouts.settings import PayoutsSettings
from shared.clock import ServiceClock
from shared.messaging.envelope import Envelope
from shared.uow import Sessions

PRODUCER = "payouts"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    # Only what ``uow()`` opens its transactions with: a use case reaches the database through
    # the repositories of its unit of work, never through this.
    sessions: Sessions
    settings: PayoutsSettings
    rails: Mapping[Rail, RailAdapter] = field(default_factory=dict)
    # The service clock (wall clock + the shared offset): ``app.clock()`` is now. Use cases
    # that decide by time sync it first; ``follow`` keeps it current for the rest.
    clock: ServiceClock = field(default_factory=ServiceClock)
    # Set after a commit that approved a payout in this process, so the dispatcher sends it now
    # instead of at its next poll (the poll stays, as the safety net and for other processes).
    dispatch_wake: asyncio.Event = field(default_factory=asyncio.Event)

    def uow(
        self, *, correlation_id: str | None = None, caused_by: Envelope | None = None
    ) -> PayoutsUnitOfWork:
        return PayoutsUnitOfWork(self.sessions, PRODUCER, correlation_id=correlation_id,
                     caused_by=caused_by)
