"""Read side: one payout with its history and attempts; payouts by key or status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.payouts.adapters.orm import AttemptRow, PayoutRow, PayoutStatusHistoryRow
from services.payouts.adapters.search import Cursor, SearchCriteria
from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.service.context import ServiceContext


@dataclass(frozen=True, slots=True)
class PayoutView:
    payout: PayoutRow
    history: Sequence[PayoutStatusHistoryRow]
    attempts: Sequence[AttemptRow]


async def get_payout(app: ServiceContext, payout_id: uuid.UUID) -> PayoutView | None:
    async with app.uow() as uow:
        payout = await uow.payouts.get(payout_id)
        view = None if payout is None else await view_of(uow, payout)
        # Committed, not rolled back: a rollback would expire the rows the answer is built from.
        await uow.commit()
    return view


async def view_of(uow: PayoutsUnitOfWork, payout: PayoutRow) -> PayoutView:
    """The payout with its history and attempts, as this transaction sees them (its own changes
    included: an action renders its answer before it commits)."""
    return PayoutView(payout, await uow.payouts.history(payout.id),
                      await uow.payouts.attempts(payout.id))


@dataclass(frozen=True, slots=True)
class Page:
    items: Sequence[PayoutRow]
    next_cursor: str | None


async def list_payouts(app: ServiceContext, criteria: SearchCriteria) -> Page:
    """One page; ``next_cursor`` is set when a further page may exist."""
    async with app.uow() as uow:
        rows = await uow.payouts.search(criteria)
        await uow.commit()  # keeps the rows readable (see get_payout)
    full = len(rows) == criteria.limit
    return Page(rows, Cursor.after(rows[-1]).encode() if full and rows else None)


async def payouts_at_risk(app: ServiceContext, before: datetime,
                          limit: int) -> Sequence[PayoutRow]:
    async with app.uow() as uow:
        rows = await uow.payouts.at_risk(before, limit)
        await uow.commit()  # keeps the rows readable (see get_payout)
    return rows
