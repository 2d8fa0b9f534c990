"""Contracts and their covered items."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.claims.adapters.orm import ContractRow, CoveredItemRow
from services.claims.adapters.rows import one
from shared.db.repository import Repository


class ContractRepository(Repository):
    async def get(
        self, contract_id: uuid.UUID, *, lock: bool = False, items: bool = False
    ) -> ContractRow:
        query = select(ContractRow).where(ContractRow.id == contract_id)
        if items:
            query = query.options(selectinload(ContractRow.items))
        return await one(self.session, query, "contract", contract_id, lock)

    async def add(self, contract: ContractRow, items: Iterable[CoveredItemRow]) -> None:
        """The contract first (its items refer to it), then its items."""
        self.session.add(contract)
        await self.session.flush()
        self.session.add_all(items)
