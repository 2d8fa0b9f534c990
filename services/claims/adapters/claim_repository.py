"""Claims and the payouts requested for them. ``lock=True`` takes the row lock.

Lock order, everywhere: contract, then claim, then payout, then limit holds. Approvals lock the
contract so two claims on one plan cannot both reserve past a limit; payout events that settle
holds lock the contract first too; everything else that changes a claim locks only the claim,
so no two transactions ever wait on each other in a cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from services.claims.adapters import statements as st
from services.claims.adapters.orm import ClaimPayoutRow, ClaimRow, ContractRow
from services.claims.adapters.rows import detached, one
from services.claims.domain.claim import ClaimStatus
from services.claims.domain.errors import NotFound
from services.claims.domain.limits import HoldStatus, NewHold
from shared.db.driver import execute, fetch_one
from shared.db.repository import Repository

_CONTRACT_KEYS = tuple(st.CONTRACTS.c.keys())
_CLAIM_KEYS = tuple(st.CLAIMS.c.keys())
_PAYOUT_KEYS = tuple(st.PAYOUTS.c.keys())


class ClaimRepository(Repository):
    async def get(self, claim_id: uuid.UUID, *, lock: bool = False) -> ClaimRow:
        return await one(self.session, select(ClaimRow).where(ClaimRow.id == claim_id),
                         "claim", claim_id, lock)

    async def add(self, claim: ClaimRow) -> None:
        """A new claim, written at once (its defaults, such as ``created_at``, are set)."""
        self.session.add(claim)
        await self.session.flush()

    async def lock_claim(self, claim_id: uuid.UUID) -> tuple[ContractRow, ClaimRow]:
        """The claim and its contract, locked in that order (see ``lock_payout``) in one
        statement.

        Both come back as row objects outside the session: a flush never writes them; the
        approval's changes are written by ``approve``."""
        found = await fetch_one(self.session, st.LOCK_CLAIM, {"claim_id": claim_id})
        if found is None:
            raise NotFound("claim", claim_id)
        split = len(_CONTRACT_KEYS)
        return (detached(ContractRow, _CONTRACT_KEYS, found[:split]),
                detached(ClaimRow, _CLAIM_KEYS, found[split:]))

    async def lock_payout(self, payout_key: str) -> tuple[ClaimRow, ClaimPayoutRow] | None:
        """The payout and its claim, locked with their contract in one statement, as row
        objects outside the session (their changes are written by ``save_payout``).

        PostgreSQL locks a join's rows in the order of its FROM list, so this keeps the lock
        order of every other writer (contract, claim, payout) in one round trip instead of
        three."""
        found = await fetch_one(self.session, st.LOCK_PAYOUT, {"payout_key": payout_key})
        if found is None:
            return None
        split = len(_CLAIM_KEYS)
        return (detached(ClaimRow, _CLAIM_KEYS, found[:split]),
                detached(ClaimPayoutRow, _PAYOUT_KEYS, found[split:]))

    async def approve(
        self, claim: ClaimRow, payout: ClaimPayoutRow, holds: Sequence[NewHold]
    ) -> None:
        """Write an approval as it is on the (locked) ``claim``: its status, approver, time and
        payout sequence, the new ``payout`` (requested then) and its limit ``holds``."""
        assert claim.approved_at is not None
        await execute(self.session, st.APPROVE, {
            "payout_key": payout.payout_key, "claim_id": claim.id, "amount": payout.amount,
            "rail": payout.rail.value, "payout_status": payout.status.value,
            "approver": claim.approved_by, "now": claim.approved_at,
            "contract_id": claim.contract_id, "hold_status": HoldStatus.RESERVED.value,
            "hold_ids": [hold.id for hold in holds],
            "hold_kinds": [hold.limit.value for hold in holds],
            "hold_amounts": [hold.amount for hold in holds],
            "status": claim.status.value, "sequence": claim.payout_sequence,
        })

    async def save_payout(self, payout: ClaimPayoutRow, claim: ClaimRow | None = None) -> None:
        """Write the (locked) payout's reported fields as they are on ``payout`` and, with
        ``claim``, the claim's status in the same statement."""
        params: dict[str, Any] = {
            "payout_key": payout.payout_key, "rail": payout.rail.value,
            "payout_status": payout.status.value, "payout_at": payout.updated_at,
            "payout_id": payout.payout_id, "attempt_id": payout.attempt_id,
            "provider_reference": payout.provider_reference,
            "failure_reason": payout.failure_reason,
        }
        if claim is None:
            await execute(self.session, st.SAVE_PAYOUT, params)
            return
        params |= {"claim_id": claim.id, "claim_status": claim.status.value,
                   "claim_at": claim.updated_at}
        await execute(self.session, st.SAVE_PAYOUT_AND_CLAIM, params)

    async def of_job(self, job_id: uuid.UUID) -> ClaimRow | None:
        query = select(ClaimRow).where(ClaimRow.job_id == job_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def of_jobs(self, job_ids: Sequence[uuid.UUID]) -> Sequence[ClaimRow]:
        query = select(ClaimRow).where(ClaimRow.job_id.in_(job_ids)).order_by(ClaimRow.created_at)
        return (await self.session.execute(query)).scalars().all()

    async def queue(
        self, *, status: ClaimStatus | None, customer_id: str | None, limit: int
    ) -> Sequence[ClaimRow]:
        query = select(ClaimRow).order_by(ClaimRow.created_at).limit(limit)
        if status is not None:
            query = query.where(ClaimRow.status == status)
        if customer_id is not None:
            query = query.where(ClaimRow.customer_id == customer_id)
        return (await self.session.execute(query)).scalars().all()

    async def payouts(self, claim_id: uuid.UUID) -> Sequence[ClaimPayoutRow]:
        query = (
            select(ClaimPayoutRow)
            .where(ClaimPayoutRow.claim_id == claim_id)
            .order_by(ClaimPayoutRow.requested_at)
        )
        return (await self.session.execute(query)).scalars().all()
