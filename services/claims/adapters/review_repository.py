"""The exceptions opened on service jobs (a claim's review among them) and their notes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from services.claims.adapters import statements as st
from services.claims.adapters.orm import JobExceptionRow, JobNoteRow
from services.claims.adapters.rows import detached, one
from shared.db.driver import execute, fetch_one
from shared.db.repository import Repository

_EXCEPTION_KEYS = tuple(st.EXCEPTIONS.c.keys())


class ExceptionRepository(Repository):
    async def get(self, exception_id: uuid.UUID, *, lock: bool = False) -> JobExceptionRow:
        query = select(JobExceptionRow).where(JobExceptionRow.id == exception_id)
        return await one(self.session, query, "exception", exception_id, lock)

    async def add(self, row: JobExceptionRow, *, now: bool = False) -> None:
        """Written with the next flush, or at once with ``now`` (its defaults are then set)."""
        self.session.add(row)
        if now:
            await self.session.flush()

    async def open_review(self, job_id: uuid.UUID) -> JobExceptionRow | None:
        """The job's open Support Services review, in the session (a flush writes changes)."""
        query = select(JobExceptionRow).where(*st.OPEN_REVIEW_CRITERIA)
        return (await self.session.execute(query, {"job_id": job_id})).scalar_one_or_none()

    async def open_review_row(self, job_id: uuid.UUID) -> JobExceptionRow | None:
        """``open_review`` as a row object outside the session: changed only by ``move``,
        never by a flush."""
        found = await fetch_one(self.session, st.OPEN_REVIEW, {"job_id": job_id})
        return None if found is None else detached(JobExceptionRow, _EXCEPTION_KEYS, found)

    async def move(self, row: JobExceptionRow) -> None:
        """Write the exception's status as it is on ``row``."""
        await execute(self.session, st.MOVE_EXCEPTION, {"id": row.id, "status": row.status.value,
                                                       "now": row.updated_at})

    async def of_job(self, job_id: uuid.UUID) -> Sequence[JobExceptionRow]:
        query = (
            select(JobExceptionRow)
            .where(JobExceptionRow.job_id == job_id)
            .order_by(JobExceptionRow.created_at)
        )
        return (await self.session.execute(query)).scalars().all()

    async def notes(self, exception_id: uuid.UUID) -> Sequence[JobNoteRow]:
        query = (
            select(JobNoteRow).where(JobNoteRow.exception_id == exception_id)
            .order_by(JobNoteRow.id)
        )
        return (await self.session.execute(query)).scalars().all()
