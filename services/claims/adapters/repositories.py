"""The claims repositories, one per aggregate: contracts with their limit holds, claims with the
payouts requested for them, the exceptions opened on jobs, service requests and jobs, BYOP cases,
and a job's timeline. Each owns all of its aggregate's SQL (ORM queries for the cold paths, the
fast path of ``statements.py`` for the paid claim's); the unit of work opens them.

Lock order, everywhere: contract, then claim, then payout, then limit holds. Approvals lock the
contract so two claims on one plan cannot both reserve past a limit; payout events that settle
holds lock the contract first too; everything else that changes a claim locks only the claim,
so no two transactions ever wait on each other in a cycle.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.claims.adapters import statements as st
from services.claims.adapters.orm import (
    AuditEventRow,
    ByopCaseRow,
    ClaimPayoutRow,
    ClaimRow,
    ContractRow,
    CoveredItemRow,
    JobExceptionRow,
    JobNoteRow,
    OptionRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.domain.claim import ClaimStatus
from services.claims.domain.errors import NotFound
from services.claims.domain.events import Noted, TimelineEntry
from services.claims.domain.limits import ClaimHold, Hold, HoldStatus, NewHold
from services.claims.domain.payout import PayoutStatus, payout_key
from services.claims.domain.work import JobStatus
from shared.db.driver import execute, fetch, fetch_one, transaction_driver
from shared.money import Money
from shared.uow import Repository

T = TypeVar("T")
R = TypeVar("R")


async def one(session: AsyncSession, query: Select[T], what: str, ident: object,
              lock: bool) -> T:
    """The query's one row, or ``NotFound``; ``lock=True`` takes the row lock."""
    if lock:
        # populate_existing: a row already in the session is re-read under the lock.
        query = query.with_for_update().execution_options(populate_existing=True)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound(what, ident)
    return row


def detached(cls: type[R], keys: Sequence[str], values: Sequence[Any]) -> R:
    """A row object outside the session: a flush never writes it, only its repository does."""
    return cls(**dict(zip(keys, values, strict=True)))


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

    async def approve(self, claim: ClaimRow, holds: Sequence[NewHold]) -> ClaimPayoutRow:
        """Write an approval as it is on the (locked) ``claim``: its status, approver, time and
        payout sequence, its new payout (requested then, returned) and its limit ``holds``."""
        assert claim.approved_at is not None and claim.approved_by is not None
        assert claim.rail is not None  # the approve guard requires a selected payment option
        payout = ClaimPayoutRow(
            payout_key=payout_key(claim.id, claim.payout_sequence), claim_id=claim.id,
            amount=claim.payable, rail=claim.rail, status=PayoutStatus.REQUESTED,
            requested_by=claim.approved_by, requested_at=claim.approved_at,
            updated_at=claim.approved_at, payout_id=None, attempt_id=None,
            provider_reference=None, failure_reason=None,
        )
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
        return payout

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


class ByopRepository(Repository):
    async def get(self, job_id: uuid.UUID, *, lock: bool = False) -> ByopCaseRow:
        query = select(ByopCaseRow).where(ByopCaseRow.job_id == job_id)
        return await one(self.session, query, "BYOP job", job_id, lock)

    def add(self, case: ByopCaseRow) -> None:
        """Written with the transaction's next flush."""
        self.session.add(case)


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
