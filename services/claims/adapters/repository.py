"""Queries the use cases share. ``lock=True`` takes the row lock (``SELECT ... FOR UPDATE``).

Lock order, everywhere: contract, then claim, then payout, then limit holds. Approvals lock the
contract so two claims on one plan cannot both reserve past a limit; payout events that settle
holds lock the contract first too; everything else that changes a claim locks only the claim,
so no two transactions ever wait on each other in a cycle.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
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
    JobExceptionRow,
    JobNoteRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.domain.claim import ClaimStatus
from services.claims.domain.errors import NotFound
from services.claims.domain.limits import Hold, HoldStatus, LimitKind
from services.claims.domain.work import JobStatus
from shared.db.driver import execute, fetch, fetch_one, transaction_driver
from shared.money import Money

T = TypeVar("T")
R = TypeVar("R")

_CONTRACT_KEYS = tuple(st.CONTRACTS.c.keys())
_CLAIM_KEYS = tuple(st.CLAIMS.c.keys())
_PAYOUT_KEYS = tuple(st.PAYOUTS.c.keys())
_EXCEPTION_KEYS = tuple(st.EXCEPTIONS.c.keys())


@dataclass(frozen=True, slots=True)
class NewHold:
    id: uuid.UUID
    limit: LimitKind
    amount: Decimal


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit trail, written with the unit of work's others (``insert_audit``)."""

    job_id: uuid.UUID | None
    entity: str
    entity_id: str
    action: str
    actor: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any]
    at: datetime


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
    """The claim and its contract, locked in that order (see ``lock_payout``) in one statement.

    Both come back as row objects outside the session: a flush never writes them; the
    approval's changes are written by ``approve``."""
    found = await fetch_one(session, st.LOCK_CLAIM, {"claim_id": claim_id})
    if found is None:
        raise NotFound("claim", claim_id)
    split = len(_CONTRACT_KEYS)
    return _row(ContractRow, _CONTRACT_KEYS, found[:split]), _claim(found[split:])


async def lock_payout(
    session: AsyncSession, payout_key: str
) -> tuple[ClaimRow, ClaimPayoutRow] | None:
    """The payout and its claim, locked with their contract in one statement, as row objects
    outside the session (their changes are written by ``save_payout``).

    PostgreSQL locks a join's rows in the order of its FROM list, so this keeps the lock order
    of every other writer (contract, claim, payout) in one round trip instead of three."""
    found = await fetch_one(session, st.LOCK_PAYOUT, {"payout_key": payout_key})
    if found is None:
        return None
    split = len(_CLAIM_KEYS)
    return _claim(found[:split]), _row(ClaimPayoutRow, _PAYOUT_KEYS, found[split:])


def _claim(values: Sequence[Any]) -> ClaimRow:
    return _row(ClaimRow, _CLAIM_KEYS, values)


def _row(cls: type[R], keys: Sequence[str], values: Sequence[Any]) -> R:
    return cls(**dict(zip(keys, values, strict=True)))


async def approve(
    session: AsyncSession, claim: ClaimRow, payout: ClaimPayoutRow, holds: Sequence[NewHold]
) -> None:
    """Write an approval as it is on the (locked) ``claim``: its status, approver, time and
    payout sequence, the new ``payout`` (requested then) and its limit ``holds``."""
    assert claim.approved_at is not None
    await execute(session, st.APPROVE, {
        "payout_key": payout.payout_key, "claim_id": claim.id, "amount": payout.amount,
        "rail": payout.rail.value, "payout_status": payout.status.value,
        "approver": claim.approved_by, "now": claim.approved_at,
        "contract_id": claim.contract_id, "hold_status": HoldStatus.RESERVED.value,
        "hold_ids": [hold.id for hold in holds],
        "hold_kinds": [hold.limit.value for hold in holds],
        "hold_amounts": [hold.amount for hold in holds],
        "status": claim.status.value, "sequence": claim.payout_sequence,
    })


async def save_payout(
    session: AsyncSession, payout: ClaimPayoutRow, claim: ClaimRow | None = None
) -> None:
    """Write the (locked) payout's reported fields as they are on ``payout`` and, with
    ``claim``, the claim's status in the same statement."""
    params: dict[str, Any] = {
        "payout_key": payout.payout_key, "rail": payout.rail.value,
        "payout_status": payout.status.value, "payout_at": payout.updated_at,
        "payout_id": payout.payout_id, "attempt_id": payout.attempt_id,
        "provider_reference": payout.provider_reference, "failure_reason": payout.failure_reason,
    }
    if claim is None:
        await execute(session, st.SAVE_PAYOUT, params)
        return
    params |= {"claim_id": claim.id, "claim_status": claim.status.value,
               "claim_at": claim.updated_at}
    await execute(session, st.SAVE_PAYOUT_AND_CLAIM, params)


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
    query = select(JobExceptionRow).where(*st.OPEN_REVIEW_CRITERIA)
    return (await session.execute(query, {"job_id": job_id})).scalar_one_or_none()


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


async def live_holds(session: AsyncSession, contract_id: uuid.UUID) -> list[Hold]:
    """The contract's reserved and consumed holds (call with the contract row locked)."""
    rows = await fetch(session, st.LIVE_HOLDS_OF_CONTRACT, {"contract_id": contract_id})
    return [Hold(kind, Money(amount), status) for kind, amount, status in rows]


@dataclass(frozen=True, slots=True)
class LockedHold:
    id: uuid.UUID
    limit_kind: LimitKind
    amount: Decimal
    status: HoldStatus


async def claim_holds(session: AsyncSession, claim_id: uuid.UUID) -> list[LockedHold]:
    """The claim's live holds, locked (after its contract, claim and payout)."""
    rows = await fetch(session, st.LOCK_CLAIM_HOLDS, {"claim_id": claim_id})
    return [LockedHold(*row) for row in rows]


async def move_holds(
    session: AsyncSession, moves: Sequence[tuple[uuid.UUID, HoldStatus]], now: datetime
) -> None:
    """Give each (locked) hold its new status, in one statement."""
    await execute(session, st.SETTLE_HOLDS, {
        "ids": [ident for ident, _ in moves], "statuses": [to.value for _, to in moves],
        "now": now,
    })


async def open_review_row(session: AsyncSession, job_id: uuid.UUID) -> JobExceptionRow | None:
    """``open_review`` as a row object outside the session: changed only by ``move_exception``,
    never by a flush."""
    found = await fetch_one(session, st.OPEN_REVIEW, {"job_id": job_id})
    return None if found is None else _row(JobExceptionRow, _EXCEPTION_KEYS, found)


async def move_exception(session: AsyncSession, row: JobExceptionRow) -> None:
    """Write the exception's status as it is on ``row``."""
    await execute(session, st.MOVE_EXCEPTION, {"id": row.id, "status": row.status.value,
                                              "now": row.updated_at})


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


async def insert_audit(session: AsyncSession, entries: Sequence[AuditEntry]) -> None:
    """All of them in one statement, their ids in the order of ``entries``."""
    driver = await transaction_driver(session)
    await driver.execute(
        st.INSERT_AUDIT,
        [e.job_id for e in entries], [e.entity for e in entries],
        [e.entity_id for e in entries], [e.action for e in entries],
        [e.actor for e in entries], [e.from_status for e in entries],
        [e.to_status for e in entries],
        # The serializer the ORM's JSONB columns use (the engine sets no other).
        [json.dumps(e.detail) for e in entries], [e.at for e in entries],
    )


async def dispatched_fee(session: AsyncSession, job_id: uuid.UUID) -> Money | None:
    """The service fee the job was dispatched with (and billed), as its timeline recorded it
    in the dispatch's transaction; None if it was never dispatched."""
    query = select(AuditEventRow.detail["service_fee"].astext).where(
        AuditEventRow.job_id == job_id, AuditEventRow.entity == "job",
        AuditEventRow.action == "dispatch",
    )
    fee = (await session.execute(query)).scalars().first()
    return None if fee is None else Money.of(fee)
