"""A job's timeline: the audit trail and the job's notes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from services.claims.adapters import statements as st
from services.claims.adapters.orm import AuditEventRow, JobNoteRow
from services.claims.domain.events import Noted, TimelineEntry
from shared.db.driver import transaction_driver
from shared.db.repository import Repository
from shared.money import Money


class TimelineRepository(Repository):
    async def write(self, entries: Sequence[TimelineEntry]) -> None:
        """All of them in one statement, their ids in the order of ``entries`` (the rows are
        never read back in their own transaction)."""
        driver = await transaction_driver(self.session)
        await driver.execute(
            st.INSERT_AUDIT,
            [e.job_id for e in entries], [e.entity for e in entries],
            [e.entity_id for e in entries], [e.action for e in entries],
            [e.actor for e in entries], [e.from_status for e in entries],
            [e.to_status for e in entries],
            # The serializer the ORM's JSONB columns use (the engine sets no other).
            [json.dumps(e.detail) for e in entries], [e.at for e in entries],
        )

    def add_notes(self, notes: Iterable[Noted]) -> None:
        """The notes' rows, written with the commit's flush."""
        self.session.add_all(
            JobNoteRow(job_id=note.job_id, author=note.actor, text=note.text,
                       exception_id=note.exception_id)
            for note in notes
        )

    async def of_job(self, job_id: uuid.UUID) -> Sequence[AuditEventRow]:
        query = (select(AuditEventRow).where(AuditEventRow.job_id == job_id)
                 .order_by(AuditEventRow.id))
        return (await self.session.execute(query)).scalars().all()

    async def notes(self, job_id: uuid.UUID) -> Sequence[JobNoteRow]:
        query = select(JobNoteRow).where(JobNoteRow.job_id == job_id).order_by(JobNoteRow.id)
        return (await self.session.execute(query)).scalars().all()

    async def dispatched_fee(self, job_id: uuid.UUID) -> Money | None:
        """The service fee the job was dispatched with (and billed), as its timeline recorded
        it in the dispatch's transaction; None if it was never dispatched."""
        query = select(AuditEventRow.detail["service_fee"].astext).where(
            AuditEventRow.job_id == job_id, AuditEventRow.entity == "job",
            AuditEventRow.action == "dispatch",
        )
        fee = (await self.session.execute(query)).scalars().first()
        return None if fee is None else Money.of(fee)
