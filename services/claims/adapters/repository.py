"""Queries the use cases share. ``lock=True`` takes the row lock (``SELECT ... FOR UPDATE``).

Lock order, everywhere: contract, then claim, then payout, then limit holds. Approvals lock the
contract so two claims on one plan cannot both reserve past a limit; payout events that settle
holds lock the contract first too; everything else that changes a claim locks only the claim,
so no two transactions ever wait on each other in a cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.claims.adapters.orm import (
    AuditEventRow,
    ByopCaseRow,
    ClaimPayoutRow,
    ClaimRow,
    ContractRow,
    JobExceptionRow,
    JobNoteRow,
    LimitHoldRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.domain.claim import ClaimStatus
from services.claims.domain.errors import NotFound
from services.claims.domain.limits import LIVE_HOLDS
from services.claims.domain.review import ExceptionStatus, ExceptionType
from services.claims.domain.work import JobStatus

T = TypeVar("T")


async def _one(
    session: AsyncSession, query: Select[T], what: str, ident: object, lock: bool
) -> T:
    if lock:
        # populate_existing: a row already in the session is re-read under the lock.
        query = query.with_for_update().execution_options(populate_existing=True)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound(what, ident)
    return row


async def contract(
    session: AsyncSession, contract_id: uuid.UUID, *, lock: bool = False, items: bool = False
) -> ContractRow:
    query = select(ContractRow).where(ContractRow.id == contract_id)
    if items:
        query = query.options(selectinload(ContractRow.items))
    return await _one(session, query, "contract", contract_id, lock)


async def lock_claim(
    session: AsyncSession, claim_id: uuid.UUID
) -> tuple[ContractRow, ClaimRow]:
    """The claim and its contract, locked in that order (see ``lock_payout``) in one statement."""
    query = (
        select(ContractRow, ClaimRow)
        .select_from(ContractRow)
        .join(ClaimRow, ClaimRow.contract_id == ContractRow.id)
        .where(ClaimRow.id == claim_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = (await session.execute(query)).one_or_none()
    if found is None:
        raise NotFound("claim", claim_id)
    return found[0], found[1]


async def lock_payout(
    session: AsyncSession, payout_key: str
) -> tuple[ClaimRow, ClaimPayoutRow] | None:
    """The payout and its claim, locked with their contract in one statement.

    PostgreSQL locks a join's rows in the order of its FROM list, so this keeps the lock order
    of every other writer (contract, claim, payout) in one round trip instead of three."""
    query = (
        select(ClaimRow, ClaimPayoutRow)
        .select_from(ContractRow)
        .join(ClaimRow, ClaimRow.contract_id == ContractRow.id)
        .join(ClaimPayoutRow, ClaimPayoutRow.claim_id == ClaimRow.id)
        .where(ClaimPayoutRow.payout_key == payout_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = (await session.execute(query)).one_or_none()
    return None if found is None else (found[0], found[1])


async def service_request(session: AsyncSession, request_id: uuid.UUID) -> ServiceRequestRow:
    query = (
        select(ServiceRequestRow)
        .where(ServiceRequestRow.id == request_id)
        .options(
            selectinload(ServiceRequestRow.orders).selectinload(ServiceOrderRow.jobs),
            selectinload(ServiceRequestRow.orders).selectinload(ServiceOrderRow.options),
        )
    )
    return await _one(session, query, "service request", request_id, False)


async def order(
    session: AsyncSession, order_id: uuid.UUID, *, lock: bool = False
) -> ServiceOrderRow:
    query = (
        select(ServiceOrderRow)
        .where(ServiceOrderRow.id == order_id)
        .options(selectinload(ServiceOrderRow.jobs), selectinload(ServiceOrderRow.options))
    )
    return await _one(session, query, "service order", order_id, lock)


async def request_of_order(session: AsyncSession, order: ServiceOrderRow) -> ServiceRequestRow:
    query = select(ServiceRequestRow).where(ServiceRequestRow.id == order.request_id)
    return await _one(session, query, "service request", order.request_id, False)


async def job(session: AsyncSession, job_id: uuid.UUID, *, lock: bool = False) -> ServiceJobRow:
    query = select(ServiceJobRow).where(ServiceJobRow.id == job_id)
    return await _one(session, query, "service job", job_id, lock)


async def job_context(
    session: AsyncSession, job_id: uuid.UUID
) -> tuple[ServiceOrderRow, ServiceRequestRow]:
    """The order and request a job belongs to (who owns it, which item)."""
    found = await job(session, job_id)
    the_order = await _one(
        session, select(ServiceOrderRow).where(ServiceOrderRow.id == found.order_id),
        "service order", found.order_id, False,
    )
    return the_order, await request_of_order(session, the_order)


async def byop_case(
    session: AsyncSession, job_id: uuid.UUID, *, lock: bool = False
) -> ByopCaseRow:
    query = select(ByopCaseRow).where(ByopCaseRow.job_id == job_id)
    return await _one(session, query, "BYOP job", job_id, lock)


async def claim(session: AsyncSession, claim_id: uuid.UUID, *, lock: bool = False) -> ClaimRow:
    return await _one(session, select(ClaimRow).where(ClaimRow.id == claim_id), "claim",
                      claim_id, lock)


async def claim_of_job(session: AsyncSession, job_id: uuid.UUID) -> ClaimRow | None:
    query = select(ClaimRow).where(ClaimRow.job_id == job_id)
    return (await session.execute(query)).scalar_one_or_none()


async def claims(
    session: AsyncSession, *, status: ClaimStatus | None, customer_id: str | None, limit: int
) -> Sequence[ClaimRow]:
    query = select(ClaimRow).order_by(ClaimRow.created_at).limit(limit)
    if status is not None:
        query = query.where(ClaimRow.status == status)
    if customer_id is not None:
        query = query.where(ClaimRow.customer_id == customer_id)
    return (await session.execute(query)).scalars().all()


async def open_review(session: AsyncSession, job_id: uuid.UUID) -> JobExceptionRow | None:
    query = select(JobExceptionRow).where(
        JobExceptionRow.job_id == job_id,
        JobExceptionRow.type == ExceptionType.SS_CLAIM_CREDIT_REVIEW,
        JobExceptionRow.status != ExceptionStatus.COMPLETE,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def exception(
    session: AsyncSession, exception_id: uuid.UUID, *, lock: bool = False
) -> JobExceptionRow:
    query = select(JobExceptionRow).where(JobExceptionRow.id == exception_id)
    return await _one(session, query, "exception", exception_id, lock)


async def payouts(session: AsyncSession, claim_id: uuid.UUID) -> Sequence[ClaimPayoutRow]:
    query = (
        select(ClaimPayoutRow)
        .where(ClaimPayoutRow.claim_id == claim_id)
        .order_by(ClaimPayoutRow.requested_at)
    )
    return (await session.execute(query)).scalars().all()


async def payout(session: AsyncSession, key: str, *, lock: bool = False) -> ClaimPayoutRow:
    query = select(ClaimPayoutRow).where(ClaimPayoutRow.payout_key == key)
    return await _one(session, query, "payout", key, lock)


async def job_records(
    session: AsyncSession, job_id: uuid.UUID
) -> tuple[Sequence[JobExceptionRow], Sequence[JobNoteRow]]:
    exceptions = await session.execute(
        select(JobExceptionRow)
        .where(JobExceptionRow.job_id == job_id)
        .order_by(JobExceptionRow.created_at)
    )
    notes = await session.execute(
        select(JobNoteRow).where(JobNoteRow.job_id == job_id).order_by(JobNoteRow.id)
    )
    return exceptions.scalars().all(), notes.scalars().all()


async def timeline(session: AsyncSession, job_id: uuid.UUID) -> Sequence[AuditEventRow]:
    query = select(AuditEventRow).where(AuditEventRow.job_id == job_id).order_by(AuditEventRow.id)
    return (await session.execute(query)).scalars().all()


async def stale_new_jobs(
    session: AsyncSession, created_before: datetime, limit: int
) -> Sequence[ServiceJobRow]:
    """New jobs past the acceptance window; SKIP LOCKED lets several workers share the scan."""
    query = (
        select(ServiceJobRow)
        .where(ServiceJobRow.status == JobStatus.NEW, ServiceJobRow.created_at < created_before)
        .order_by(ServiceJobRow.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).scalars().all()


async def live_holds(session: AsyncSession, contract_id: uuid.UUID) -> Sequence[LimitHoldRow]:
    """The contract's reserved and consumed holds (call with the contract row locked)."""
    query = select(LimitHoldRow).where(
        LimitHoldRow.contract_id == contract_id, LimitHoldRow.status.in_(LIVE_HOLDS)
    )
    return (await session.execute(query)).scalars().all()


async def claim_holds(session: AsyncSession, claim_id: uuid.UUID) -> Sequence[LimitHoldRow]:
    query = (
        select(LimitHoldRow)
        .where(LimitHoldRow.claim_id == claim_id, LimitHoldRow.status.in_(LIVE_HOLDS))
        .order_by(LimitHoldRow.created_at)
        .with_for_update()
    )
    return (await session.execute(query)).scalars().all()


async def exception_notes(session: AsyncSession, exception_id: uuid.UUID) -> Sequence[JobNoteRow]:
    query = (
        select(JobNoteRow).where(JobNoteRow.exception_id == exception_id).order_by(JobNoteRow.id)
    )
    return (await session.execute(query)).scalars().all()


async def claims_of_jobs(
    session: AsyncSession, job_ids: Sequence[uuid.UUID]
) -> Sequence[ClaimRow]:
    query = select(ClaimRow).where(ClaimRow.job_id.in_(job_ids)).order_by(ClaimRow.created_at)
    return (await session.execute(query)).scalars().all()
