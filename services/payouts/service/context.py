"""What every use case runs with: the database, the rail adapters, the policy and a clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.payouts.domain.model import Rail
from services.payouts.service.ports import RailAdapter
from services.payouts.settings import PayoutsSettings
from shared.clock import ServiceClock
from shared.uow import UnitOfWork

PRODUCER = "payouts"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: PayoutsSettings
    rails: Mapping[Rail, RailAdapter] = field(default_factory=dict)
    # The service clock (wall clock + the shared offset): ``deps.clock()`` is now. Use cases
    # that decide by time sync it first; ``follow`` keeps it current for the rest.
    clock: ServiceClock = field(default_factory=ServiceClock)
    # Set after a commit that approved a payout in this process, so the dispatcher sends it now
    # instead of at its next poll (the poll stays, as the safety net and for other processes).
    dispatch_wake: asyncio.Event = field(default_factory=asyncio.Event)

    def uow(self, *, correlation_id: str | None = None,
            causation_id: str | None = None) -> PayoutsUnitOfWork:
        return PayoutsUnitOfWork(
            self.sessionmaker, PRODUCER, correlation_id=correlation_id, causation_id=causation_id
        )


class PayoutsUnitOfWork(UnitOfWork):
    """The shared unit of work plus ``after_commit`` hooks (metrics, logs that must only
    describe changes that really happened)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._after: list[Callable[[], None]] = []

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._after.append(hook)

    async def commit(self) -> None:
        await super().commit()
        hooks, self._after = self._after, []
        for hook in hooks:
            hook()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._after = []
        await super().__aexit__(exc_type, exc, tb)
