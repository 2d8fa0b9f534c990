"""The provider events applied so far: a callback's event id is applied once."""

from __future__ import annotations

from services.payouts.adapters.statements import RECORD_EVENT
from shared.db.driver import transaction_driver
from shared.db.repository import Repository


class ProviderEventRepository(Repository):
    async def first(self, *, rail: str, event_id: str, attempt_id: str, status: str) -> bool:
        """Record a callback's event id; False if it was already applied."""
        driver = await transaction_driver(self.session)
        return await driver.fetchval(RECORD_EVENT, rail, event_id, attempt_id, status) \
            is not None
