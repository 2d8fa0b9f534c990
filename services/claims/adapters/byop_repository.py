"""BYOP cases: the customer's own service pro on a BYOP job."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.claims.adapters.orm import ByopCaseRow
from services.claims.adapters.rows import one
from shared.db.repository import Repository


class ByopRepository(Repository):
    async def get(self, job_id: uuid.UUID, *, lock: bool = False) -> ByopCaseRow:
        query = select(ByopCaseRow).where(ByopCaseRow.job_id == job_id)
        return await one(self.session, query, "BYOP job", job_id, lock)

    def add(self, case: ByopCaseRow) -> None:
        """Written with the transaction's next flush."""
        self.session.add(case)
