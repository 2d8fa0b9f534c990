"""The payees paid before: a first sighting and the last change of payment details."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from services.payouts.adapters.orm import PayeeRow
from services.payouts.adapters.statements import FIRST_SIGHTING
from services.payouts.domain.approvals import PayeeHistory
from shared.db.driver import transaction_driver
from shared.db.repository import Repository


class PayeeRepository(Repository):
    async def observe(self, identity: str, fingerprint: str, now: datetime) -> PayeeHistory:
        """What we knew before, then remember this sighting (inside the unit of work)."""
        driver = await transaction_driver(self.session)
        if await driver.fetchval(FIRST_SIGHTING, identity, fingerprint, now) is not None:
            return PayeeHistory(known=False)
        query = select(PayeeRow).where(PayeeRow.identity == identity).with_for_update()
        row = (await self.session.execute(query)).scalar_one()
        if row.details_hash != fingerprint:
            row.details_hash = fingerprint
            row.details_changed_at = now
        return PayeeHistory(known=True, details_changed_at=row.details_changed_at)
