"""Service requests with their orders and options, and the service jobs of those orders."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.claims.adapters.orm import (
    OptionRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.adapters.rows import one
from services.claims.domain.work import JobStatus
from shared.db.repository import Repository


class RequestRepository(Repository):
    """A service request, its orders (each with its jobs and options loaded) and options."""

    async def get(self, request_id: uuid.UUID) -> ServiceRequestRow:
        query = (
            select(ServiceRequestRow)
            .where(ServiceRequestRow.id == request_id)
            .options(
                selectinload(ServiceRequestRow.orders).selectinload(ServiceOrderRow.jobs),
                selectinload(ServiceRequestRow.orders).selectinload(ServiceOrderRow.options),
            )
        )
        return await one(self.session, query, "service request", request_id, False)

    async def order(self, order_id: uuid.UUID, *, lock: bool = False) -> ServiceOrderRow:
        query = (
            select(ServiceOrderRow)
            .where(ServiceOrderRow.id == order_id)
            .options(selectinload(ServiceOrderRow.jobs), selectinload(ServiceOrderRow.options))
        )
        return await one(self.session, query, "service order", order_id, lock)

    async def of_order(self, order: ServiceOrderRow) -> ServiceRequestRow:
        query = select(ServiceRequestRow).where(ServiceRequestRow.id == order.request_id)
        return await one(self.session, query, "service request", order.request_id, False)

    async def add(self, row: ServiceRequestRow | ServiceOrderRow) -> None:
        """A new request or order, written at once (its children refer to it)."""
        self.session.add(row)
        await self.session.flush()

    def add_options(self, options: Iterable[OptionRow]) -> None:
        """Written with the transaction's next flush."""
        self.session.add_all(options)


class JobRepository(Repository):
    async def get(self, job_id: uuid.UUID, *, lock: bool = False) -> ServiceJobRow:
        query = select(ServiceJobRow).where(ServiceJobRow.id == job_id)
        return await one(self.session, query, "service job", job_id, lock)

    async def add(self, job: ServiceJobRow) -> None:
        """A new job, written at once (its ``created_at`` is set: the dispatch reports it)."""
        self.session.add(job)
        await self.session.flush()

    async def context(
        self, job_id: uuid.UUID
    ) -> tuple[ServiceOrderRow, ServiceRequestRow]:
        """The order and request a job belongs to (who owns it, which item)."""
        found = await self.get(job_id)
        the_order = await one(
            self.session, select(ServiceOrderRow).where(ServiceOrderRow.id == found.order_id),
            "service order", found.order_id, False,
        )
        query = select(ServiceRequestRow).where(ServiceRequestRow.id == the_order.request_id)
        request = await one(self.session, query, "service request", the_order.request_id, False)
        return the_order, request

    async def stale_new(self, created_before: datetime, limit: int) -> Sequence[ServiceJobRow]:
        """New jobs past the acceptance window; SKIP LOCKED lets several workers share the
        scan."""
        query = (
            select(ServiceJobRow)
            .where(ServiceJobRow.status == JobStatus.NEW,
                   ServiceJobRow.created_at < created_before)
            .order_by(ServiceJobRow.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()
