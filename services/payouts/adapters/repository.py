"""Reads and writes of payouts and attempts, inside the caller's transaction.

Locking convention (it is what makes concurrent dispatchers, recovery and callbacks safe): a
transaction that changes a payout or its attempt first locks the payout row (``lock=True``),
then the attempt. Scans that hand out work use ``FOR UPDATE SKIP LOCKED`` so two workers never
take the same row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payouts.adapters.orm import (
    AttemptRow,
    PayoutRow,
    PayoutStatusHistoryRow,
    ProviderEventRow,
)
from services.payouts.adapters.search import SearchCriteria
from services.payouts.domain.model import (
    ACTIVE_ATTEMPT_STATUSES,
    FINAL_PAYOUT_STATUSES,
    PayoutStatus,
)

_ACTIVE = [s.value for s in ACTIVE_ATTEMPT_STATUSES]
# Inserts built once, their values bound at execution (building them per call is costly).
_INSERT_PAYOUT = (
    insert(PayoutRow).on_conflict_do_nothing(index_elements=[PayoutRow.payout_key])
    .returning(PayoutRow.id)
)
_RECORD_EVENT = insert(ProviderEventRow).on_conflict_do_nothing().returning(
    ProviderEventRow.event_id
)


class PayoutRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_if_new(self, values: dict[str, Any]) -> uuid.UUID | None:
        """Insert the payout unless its ``payout_key`` exists; its id, or None for a repeat.

        Two concurrent requests with one key serialise on the unique index: the second waits
        for the first to commit and then inserts nothing.
        """
        result = await self.session.execute(_INSERT_PAYOUT, values)
        return result.scalar_one_or_none()

    async def get(self, payout_id: uuid.UUID, *, lock: bool = False) -> PayoutRow | None:
        query = select(PayoutRow).where(PayoutRow.id == payout_id)
        if lock:
            # populate_existing: a row already in the session is refreshed with what we locked.
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_by_key(self, payout_key: str) -> PayoutRow | None:
        query = select(PayoutRow).where(PayoutRow.payout_key == payout_key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def search(self, criteria: SearchCriteria) -> Sequence[PayoutRow]:
        """Newest first, ``limit`` rows after the cursor (keyset: created_at, then id)."""
        query = select(PayoutRow).order_by(PayoutRow.created_at.desc(), PayoutRow.id.desc())
        for condition in criteria.conditions():
            query = query.where(condition)
        return (await self.session.execute(query.limit(criteria.limit))).scalars().all()

    async def due_for_sla(self, now: datetime, limit: int) -> Sequence[PayoutRow]:
        """Unpaid payouts past their deadline whose breach was not announced, locked for us."""
        query = (
            select(PayoutRow)
            .where(PayoutRow.deadline_at <= now, PayoutRow.sla_breached_at.is_(None),
                   PayoutRow.status != PayoutStatus.PAID.value)
            .order_by(PayoutRow.deadline_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def at_risk(self, before: datetime, limit: int) -> Sequence[PayoutRow]:
        """Payouts with a deadline before ``before`` that are not final yet (breached ones too)."""
        open_statuses = [s.value for s in PayoutStatus if s not in FINAL_PAYOUT_STATUSES]
        query = (
            select(PayoutRow)
            .where(PayoutRow.deadline_at <= before, PayoutRow.status.in_(open_statuses))
            .order_by(PayoutRow.deadline_at)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def all_attempts(self) -> Sequence[tuple[AttemptRow, PayoutRow]]:
        query = select(AttemptRow, PayoutRow).join(PayoutRow, AttemptRow.payout_id == PayoutRow.id)
        return [(a, p) for a, p in (await self.session.execute(query)).all()]

    def record_status(
        self,
        payout: PayoutRow,
        to: PayoutStatus,
        *,
        action: str,
        actor: str,
        now: datetime,
        reason: str | None = None,
        attempt_id: str | None = None,
    ) -> None:
        """Move the (locked) payout to ``to`` and append the change to its history."""
        self.session.add(
            PayoutStatusHistoryRow(
                payout_id=payout.id,
                from_status=payout.status,
                to_status=to.value,
                action=action,
                reason=reason,
                attempt_id=attempt_id,
                actor=actor,
                occurred_at=now,
            )
        )
        payout.status = to.value
        payout.updated_at = now
        payout.status_reason = reason  # a reason describes the current status only

    def record_received(self, payout_id: uuid.UUID, *, actor: str, now: datetime) -> None:
        """The first history entry of a payout just inserted in status ``received``."""
        self.session.add(
            PayoutStatusHistoryRow(
                payout_id=payout_id,
                from_status=None,
                to_status=PayoutStatus.RECEIVED.value,
                action="receive",
                actor=actor,
                occurred_at=now,
            )
        )

    async def history(self, payout_id: uuid.UUID) -> Sequence[PayoutStatusHistoryRow]:
        query = (
            select(PayoutStatusHistoryRow)
            .where(PayoutStatusHistoryRow.payout_id == payout_id)
            .order_by(PayoutStatusHistoryRow.id)
        )
        return (await self.session.execute(query)).scalars().all()

    # Attempts

    async def lock_dispatchable(self, rails: Sequence[str], limit: int) -> Sequence[PayoutRow]:
        """Approved payouts on ``rails`` with no attempt that may exist at the provider, locked
        for us."""
        active = exists().where(
            AttemptRow.payout_id == PayoutRow.id, AttemptRow.status.in_(_ACTIVE)
        )
        query = (
            select(PayoutRow)
            .where(
                PayoutRow.status == PayoutStatus.APPROVED.value,
                PayoutRow.rail.in_(rails),
                ~active,
            )
            .order_by(PayoutRow.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def has_active_attempt(self, payout_id: uuid.UUID) -> bool:
        query = select(
            exists().where(AttemptRow.payout_id == payout_id, AttemptRow.status.in_(_ACTIVE))
        )
        return bool((await self.session.execute(query)).scalar_one())

    async def next_attempt_number(self, payout_id: uuid.UUID) -> int:
        query = select(func.coalesce(func.max(AttemptRow.number), 0)).where(
            AttemptRow.payout_id == payout_id
        )
        return int((await self.session.execute(query)).scalar_one()) + 1

    async def get_attempt(self, attempt_id: str, *, lock: bool = False) -> AttemptRow | None:
        query = select(AttemptRow).where(AttemptRow.id == attempt_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def attempts(self, payout_id: uuid.UUID) -> Sequence[AttemptRow]:
        query = (
            select(AttemptRow).where(AttemptRow.payout_id == payout_id).order_by(AttemptRow.number)
        )
        return (await self.session.execute(query)).scalars().all()

    async def lock_due_attempts(self, now: datetime, limit: int) -> Sequence[AttemptRow]:
        """Unfinished attempts whose lease ran out, oldest first, locked for us."""
        query = (
            select(AttemptRow)
            .where(AttemptRow.status.in_(_ACTIVE), AttemptRow.lease_until <= now)
            .order_by(AttemptRow.lease_until)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def first_provider_event(
        self, *, rail: str, event_id: str, attempt_id: str, status: str
    ) -> bool:
        """Record a callback's event id; False if it was already applied."""
        result = await self.session.execute(
            _RECORD_EVENT,
            {"rail": rail, "event_id": event_id, "attempt_id": attempt_id, "status": status},
        )
        return result.first() is not None
