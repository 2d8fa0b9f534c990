"""Read side: one payout with its history and attempts; payouts by key or status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.payouts.adapters.orm import AttemptRow, PayoutRow, PayoutStatusHistoryRow
from services.payouts.adapters.repository import PayoutRepository


@dataclass(frozen=True, slots=True)
class PayoutView:
    payout: PayoutRow
    history: Sequence[PayoutStatusHistoryRow]
    attempts: Sequence[AttemptRow]


async def get_payout(
    sessionmaker: async_sessionmaker[AsyncSession], payout_id: uuid.UUID
) -> PayoutView | None:
    async with sessionmaker() as session, session.begin():
        repo = PayoutRepository(session)
        payout = await repo.get(payout_id)
        if payout is None:
            return None
        return PayoutView(payout, await repo.history(payout_id), await repo.attempts(payout_id))


async def list_payouts(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    payout_key: str | None,
    status: str | None,
    limit: int,
) -> Sequence[PayoutRow]:
    async with sessionmaker() as session, session.begin():
        return await PayoutRepository(session).search(
            payout_key=payout_key, status=status, limit=limit
        )
