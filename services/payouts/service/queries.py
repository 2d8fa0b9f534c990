"""Read side: one payout with its history and attempts; payouts by key or status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.payouts.adapters.orm import AttemptRow, PayoutRow, PayoutStatusHistoryRow
from services.payouts.adapters.repository import PayoutRepository
from services.payouts.adapters.search import Cursor, SearchCriteria


@dataclass(frozen=True, slots=True)
class PayoutView:
    payout: PayoutRow
    history: Sequence[PayoutStatusHistoryRow]
    attempts: Sequence[AttemptRow]


async def get_payout(
    sessionmaker: async_sessionmaker[AsyncSession], payout_id: uuid.UUID
) -> PayoutView | None:
    async with sessionmaker() as session, session.begin():
        payout = await PayoutRepository(session).get(payout_id)
        return None if payout is None else await view_of(session, payout)


async def view_of(session: AsyncSession, payout: PayoutRow) -> PayoutView:
    """The payout with its history and attempts, as this session sees them (its own changes
    included: an action renders its answer before it commits)."""
    repo = PayoutRepository(session)
    return PayoutView(payout, await repo.history(payout.id), await repo.attempts(payout.id))


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence[PayoutRow]
    next_cursor: str | None


async def list_payouts(
    sessionmaker: async_sessionmaker[AsyncSession], criteria: SearchCriteria
) -> Page:
    """One page; ``next_cursor`` is set when a further page may exist."""
    async with sessionmaker() as session, session.begin():
        rows = await PayoutRepository(session).search(criteria)
    full = len(rows) == criteria.limit
    return Page(rows, Cursor.after(rows[-1]).encode() if full and rows else None)


async def payouts_at_risk(
    sessionmaker: async_sessionmaker[AsyncSession], before: datetime, limit: int
) -> Sequence[PayoutRow]:
    async with sessionmaker() as session, session.begin():
        return await PayoutRepository(session).at_risk(before, limit)
