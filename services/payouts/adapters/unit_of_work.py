"""Payouts' unit of work: one repository per aggregate on the transaction's session, and what
the events its payouts and attempts announce become in the same commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.payouts.adapters.messages import build_event, decision_event, sla_breached_event
from services.payouts.adapters.orm import AttemptRow, IdempotencyKeyRow, PayoutRow
from services.payouts.adapters.repositories import (
    CheckRepository,
    PayeeRepository,
    PayoutRepository,
    ProviderEventRepository,
)
from services.payouts.domain.errors import IdempotencyKeyReusedError
from services.payouts.domain.events import (
    AttemptAnswered,
    PayoutDecided,
    PayoutTransitioned,
    SlaBreached,
)
from services.payouts.domain.transitions import PayoutAction
from shared.clock import ServiceClock
from shared.domain.events import DomainEvent
from shared.idempotency import IdempotencyKeys, IdempotencyStore
from shared.messaging import contracts as c
from shared.uow import UnitOfWork

# What an approver's action is called when it is announced.
_DECISIONS = {PayoutAction.APPROVE: c.PayoutDecision.RELEASED,
              PayoutAction.REJECT: c.PayoutDecision.REJECTED}


# Idempotency keys: ``shared.idempotency`` over this service's own row, refusing a reused key
# with its own error; opened as ``uow.keys``.
_REUSED = "this Idempotency-Key was used for a different request; use a new key"
KEYS = IdempotencyStore(IdempotencyKeyRow, partial(IdempotencyKeyReusedError, _REUSED))


class PayoutsUnitOfWork(UnitOfWork):
    payouts: PayoutRepository
    checks: CheckRepository
    payees: PayeeRepository
    provider_events: ProviderEventRepository
    keys: IdempotencyKeys

    def bind(self, session: AsyncSession) -> None:
        self.payouts = PayoutRepository(session)
        self.checks = CheckRepository(session)
        self.payees = PayeeRepository(session)
        self.provider_events = ProviderEventRepository(session)
        self.keys = IdempotencyKeys(session, KEYS)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """In the order announced: a transition is its payout's row and history entry (with
        its attempt's outcome: one statement) and then the payout event it announces."""
        for event in events:
            if isinstance(event, PayoutTransitioned):
                await self._transitioned(event)
            elif isinstance(event, AttemptAnswered):
                await self.payouts.save_attempt(event.attempt)
            elif isinstance(event, PayoutDecided):
                self._decided(event)
            elif isinstance(event, SlaBreached):
                self._breached(event)
            else:
                await super().publish([event])  # refused: an event nobody writes is lost

    async def _transitioned(self, move: PayoutTransitioned) -> None:
        await self.payouts.record(move)
        if move.announce is not None:
            # The rows of this unit of work's repositories are the entities it is given.
            payout = cast(PayoutRow, move.payout)
            self.emit(build_event(move.announce, payout, cast("AttemptRow | None", move.attempt),
                                  move.reason), correlation_id=payout.correlation_id)

    def _decided(self, decided: PayoutDecided) -> None:
        payout = cast(PayoutRow, decided.payout)
        self.emit(decision_event(payout, _DECISIONS[decided.action], decided.actor, decided.at,
                                 decided.reason), correlation_id=payout.correlation_id)

    def _breached(self, breached: SlaBreached) -> None:
        payout = cast(PayoutRow, breached.payout)
        self.emit(sla_breached_event(payout), correlation_id=payout.correlation_id)

    async def synced_now(self, clock: ServiceClock) -> datetime:
        """Now on the service clock, its shared offset read in this transaction (an operator
        may have moved it)."""
        return await clock.sync(self.session)
