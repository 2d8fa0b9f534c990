"""A contract's limit holds: read under the contract's row lock, moved with their claim."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from services.claims.adapters import statements as st
from services.claims.domain.limits import ClaimHold, Hold, HoldStatus
from shared.db.driver import execute, fetch
from shared.db.repository import Repository
from shared.money import Money


class HoldRepository(Repository):
    async def live(self, contract_id: uuid.UUID) -> list[Hold]:
        """The contract's reserved and consumed holds (call with the contract row locked)."""
        rows = await fetch(self.session, st.LIVE_HOLDS_OF_CONTRACT, {"contract_id": contract_id})
        return [Hold(kind, Money(amount), status) for kind, amount, status in rows]

    async def lock_of_claim(self, claim_id: uuid.UUID) -> list[ClaimHold]:
        """The claim's live holds, locked (after its contract, claim and payout)."""
        rows = await fetch(self.session, st.LOCK_CLAIM_HOLDS, {"claim_id": claim_id})
        return [ClaimHold(*row) for row in rows]

    async def move(
        self, moves: Sequence[tuple[uuid.UUID, HoldStatus]], now: datetime
    ) -> None:
        """Give each (locked) hold its new status, in one statement."""
        await execute(self.session, st.SETTLE_HOLDS, {
            "ids": [ident for ident, _ in moves], "statuses": [to.value for _, to in moves],
            "now": now,
        })
