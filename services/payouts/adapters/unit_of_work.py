"""Payouts' unit of work: one repository per aggregate on the transaction's session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.payouts.adapters.checks import CheckRepository
from services.payouts.adapters.idempotency import IdempotencyRepository
from services.payouts.adapters.payees import PayeeRepository
from services.payouts.adapters.payouts import PayoutRepository
from services.payouts.adapters.provider_events import ProviderEventRepository
from shared.clock import ServiceClock
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import first_delivery
from shared.uow import UnitOfWork

# What a unit of work opens its transactions with (the service context holds one).
Sessionmaker = async_sessionmaker[AsyncSession]


class PayoutsUnitOfWork(UnitOfWork):
    payouts: PayoutRepository
    checks: CheckRepository
    payees: PayeeRepository
    provider_events: ProviderEventRepository
    keys: IdempotencyRepository

    def bind(self, session: AsyncSession) -> None:
        self.payouts = PayoutRepository(session)
        self.checks = CheckRepository(session)
        self.payees = PayeeRepository(session)
        self.provider_events = ProviderEventRepository(session)
        self.keys = IdempotencyRepository(session)

    async def first_delivery(self, consumer: str, envelope: Envelope) -> bool:
        """The inbox, in this transaction: False if ``consumer`` already handled it."""
        return await first_delivery(self.session, consumer, envelope)

    async def synced_now(self, clock: ServiceClock) -> datetime:
        """Now on the service clock, its shared offset read in this transaction (an operator
        may have moved it)."""
        return await clock.sync(self.session)
