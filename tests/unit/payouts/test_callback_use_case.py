"""The callback use case on fakes: a unit of work whose repositories are in memory, so what
the use case records and commits is checked without a database (milliseconds)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType
from typing import Self, cast

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.adapters.repositories import PayoutRepository, ProviderEventRepository
from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain.events import PayoutTransitioned
from services.payouts.domain.model import PayoutStatus, Rail
from services.payouts.domain.outcomes import Observation, PayoutEvent
from services.payouts.domain.transitions import PayoutAction
from services.payouts.service.callbacks import CallbackResult, ProviderCallback, handle_callback
from services.payouts.service.context import ServiceContext
from services.payouts.settings import PayoutsSettings
from shared.domain.events import DomainEvent
from shared.messaging.envelope import Envelope
from shared.money import Money

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


class FakePayouts:
    def __init__(self, payout: PayoutRow, attempt: AttemptRow) -> None:
        self.pair = payout, attempt

    async def lock_pair(self, attempt_id: str) -> tuple[PayoutRow, AttemptRow] | None:
        return self.pair if self.pair[1].id == attempt_id else None


class FakeProviderEvents:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    async def first(self, *, rail: str, event_id: str, attempt_id: str, status: str) -> bool:
        new = (rail, event_id) not in self.seen
        self.seen.add((rail, event_id))
        return new


class FakeUnitOfWork(PayoutsUnitOfWork):
    """Opens no session: its repositories are the fakes, and a commit keeps what it would
    have written."""

    def __init__(self, payouts: FakePayouts, events: FakeProviderEvents) -> None:
        super().__init__(async_sessionmaker(), "payouts")
        self.fakes = payouts, events
        self.recorded: list[DomainEvent] = []
        self.committed: list[DomainEvent] = []
        self.hooks: list[Callable[[], None]] = []

    async def __aenter__(self) -> Self:
        self.payouts = cast(PayoutRepository, self.fakes[0])
        self.provider_events = cast(ProviderEventRepository, self.fakes[1])
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.recorded = []

    def record(self, *events: DomainEvent) -> None:
        self.recorded.extend(events)

    def after_commit(self, hook: Callable[[], None]) -> None:
        self.hooks.append(hook)

    async def commit(self) -> None:
        self.committed, self.recorded = self.recorded, []
        for hook in self.hooks:
            hook()


class FakeContext(ServiceContext):
    def __init__(self, unit: FakeUnitOfWork) -> None:
        super().__init__(async_sessionmaker(), PayoutsSettings())
        self.unit = unit

    def uow(self, *, correlation_id: str | None = None,
            caused_by: Envelope | None = None) -> PayoutsUnitOfWork:
        return self.unit


def _submitted() -> tuple[PayoutRow, AttemptRow]:
    payout = PayoutRow(id=uuid.uuid4(), payout_key="claim:c-1:claim_credit", rail="concourse",
                       amount=Decimal("125.00"), currency="USD", status="submitted",
                       correlation_id="c-1", reissue_on_cancel=False)
    attempt = AttemptRow(id="ABCDEFGH12345678", payout_id=payout.id, rail="concourse",
                         amount=Decimal("125.00"), status="submitted", sends=1, checks=0,
                         lease_until=NOW)
    return payout, attempt


def _paid(event_id: str = "ev-1") -> ProviderCallback:
    return ProviderCallback(rail=Rail.CONCOURSE, event_id=event_id,
                            end_to_end_id="ABCDEFGH12345678", provider_reference="REF-1",
                            observation=Observation.COMPLETED, provider_status="COMPLETED",
                            amount=Money(Decimal("125.00")), currency="USD", reason=None)


async def test_a_paid_callback_commits_the_payouts_move_with_its_paid_event() -> None:
    payout, attempt = _submitted()
    unit = FakeUnitOfWork(FakePayouts(payout, attempt), FakeProviderEvents())

    assert await handle_callback(FakeContext(unit), _paid()) is CallbackResult.APPLIED
    [move] = unit.committed
    assert isinstance(move, PayoutTransitioned)
    assert (move.before, move.to, move.action, move.actor, move.announce) == (
        "submitted", PayoutStatus.PAID, PayoutAction.PROVIDER_COMPLETED, "concourse-callback",
        PayoutEvent.PAID)
    assert move.at == payout.updated_at == attempt.updated_at
    assert move.attempt is attempt and (attempt.status, attempt.provider_status) == (
        "paid", "completed")
    assert payout.status == "paid"


async def test_the_same_event_again_commits_nothing() -> None:
    payout, attempt = _submitted()
    events = FakeProviderEvents()
    unit = FakeUnitOfWork(FakePayouts(payout, attempt), events)
    await handle_callback(FakeContext(unit), _paid())

    assert await handle_callback(FakeContext(unit), _paid()) is CallbackResult.DUPLICATE
    assert unit.recorded == [] and payout.status == "paid"


async def test_a_late_callback_the_payout_is_past_is_ignored() -> None:
    payout, attempt = _submitted()
    unit = FakeUnitOfWork(FakePayouts(payout, attempt), FakeProviderEvents())
    await handle_callback(FakeContext(unit), _paid())

    assert await handle_callback(FakeContext(unit), _paid("ev-2")) is CallbackResult.IGNORED
    assert unit.committed == []
