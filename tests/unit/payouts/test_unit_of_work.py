"""Payouts' unit of work writes every event its entities announce, or refuses it loudly."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from shared.domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class Unheard(DomainEvent):
    """An event no part of payouts writes."""


async def test_an_event_nothing_writes_is_refused_not_dropped() -> None:
    uow = PayoutsUnitOfWork(async_sessionmaker(), "payouts")
    with pytest.raises(RuntimeError, match="does not publish Unheard"):
        await uow.publish([Unheard()])
