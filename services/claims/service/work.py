"""Use cases on service work: open a request (one order and one job per failing item), move a
job, close an order, append a note, expire jobs nobody accepted, and read them back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters import repository as repo
from services.claims.adapters.orm import (
    ContractRow,
    JobExceptionRow,
    JobNoteRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.claim import SETTLED_STATUSES
from services.claims.domain.contract import ensure_entitled
from services.claims.domain.errors import ItemNotCovered, OrderHasOpenClaim
from services.claims.domain.work import (
    ACCEPTANCE_WINDOW,
    JOB_MACHINE,
    OPEN_JOB_STATUSES,
    ORDER_MACHINE,
    Channel,
    JobAction,
    JobFacts,
    JobKind,
    JobStatus,
    OrderAction,
    OrderStatus,
)
from services.claims.service import audit
from services.claims.service.context import SYSTEM, Claims, ensure_visible
from services.claims.service.fees import release_cancelled_fee
from shared.auth import Principal
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class NewOrder:
    covered_item_id: uuid.UUID
    problem: str
    # What the customer read off the appliance (microwave auto-replacement needs both).
    model: str | None = None
    serial: str | None = None


@dataclass(frozen=True)
class JobView:
    job: ServiceJobRow
    order: ServiceOrderRow
    request: ServiceRequestRow
    exceptions: Sequence[JobExceptionRow]
    notes: Sequence[JobNoteRow]
    claim_id: uuid.UUID | None


async def open_request(
    session: AsyncSession, actor: Principal, contract: ContractRow, channel: Channel,
    orders: Sequence[NewOrder], kinds: Sequence[JobKind],
) -> tuple[ServiceRequestRow, list[ServiceJobRow]]:
    """Request, orders and their first jobs, one job kind per order (the contract's items must
    be loaded)."""
    ensure_entitled(contract.status)
    covered = {item.id for item in contract.items}
    wanted = [order.covered_item_id for order in orders]
    if not wanted or len(set(wanted)) != len(wanted):
        raise ItemNotCovered("name each failing covered item once")
    if unknown := [str(item) for item in wanted if item not in covered]:
        raise ItemNotCovered(f"items {', '.join(unknown)} are not covered by this contract")
    request = ServiceRequestRow(
        id=uuid.uuid4(), contract_id=contract.id, customer_id=contract.customer_id,
        channel=channel, created_by=actor.subject,
    )
    session.add(request)
    await session.flush()
    jobs = []
    for position, (new, kind) in enumerate(zip(orders, kinds, strict=True)):
        order = ServiceOrderRow(
            id=uuid.uuid4(), request_id=request.id, position=position,
            covered_item_id=new.covered_item_id, problem=new.problem, status=OrderStatus.OPEN,
        )
        session.add(order)
        await session.flush()
        job = ServiceJobRow(id=uuid.uuid4(), order_id=order.id, kind=kind, status=JobStatus.NEW)
        session.add(job)
        await session.flush()
        jobs.append(job)
        audit.record(session, entity="job", entity_id=job.id, job_id=job.id, action="create",
                     actor=actor.subject, to_status=JobStatus.NEW, order_id=str(order.id),
                     request_id=str(request.id), channel=channel.value, kind=kind.value)
    return request, jobs


async def transition_job(
    app: Claims, actor: Principal, job_id: uuid.UUID, action: JobAction, reason: str | None
) -> JobView:
    async with app.uow() as uow:
        job = await repo.job(uow.session, job_id, lock=True)
        await apply_job_action(uow.session, job, action, actor.subject, reason)
        if action is JobAction.CANCEL:
            await release_cancelled_fee(uow, job, *await repo.job_context(uow.session, job.id))
        await uow.commit()
    return await get_job(app, actor, job_id)


async def apply_job_action(
    session: AsyncSession, job: ServiceJobRow, action: JobAction, actor: str,
    reason: str | None,
) -> None:
    now = utcnow()
    facts = JobFacts(age=now - job.created_at, reason=reason)
    before, job.status = job.status, JOB_MACHINE.fire(job.status, action, facts)
    job.status_changed_at = now
    if action in (JobAction.CANCEL, JobAction.REJECT):
        job.cancel_reason = reason
    if action is JobAction.RECORD_VISIT:
        job.technician_out_at = job.technician_out_at or now
    audit.record(session, entity="job", entity_id=job.id, job_id=job.id, action=action.value,
                 actor=actor, from_status=before, to_status=job.status, reason=reason)


async def close_order(
    app: Claims, actor: Principal, order_id: uuid.UUID, reason: str
) -> ServiceOrderRow:
    """Closing an order cancels its open jobs; refused while a claim on it is being paid."""
    async with app.uow() as uow:
        order = await repo.order(uow.session, order_id, lock=True)
        await close_locked_order(uow, order, actor.subject, reason,
                                 f"service order closed: {reason}")
        await uow.commit()
    return await get_order(app, actor, order_id)


async def close_locked_order(
    uow: UnitOfWork, order: ServiceOrderRow, actor: str, reason: str, job_reason: str
) -> None:
    """Close ``order`` (locked, jobs loaded) and cancel each open job with ``job_reason``.

    Every cancellation of a job in an order goes through here (request cancelled, order
    closed), so each job whose visit will not happen releases its fee here too.
    """
    session = uow.session
    before, order.status = order.status, ORDER_MACHINE.fire(
        order.status, OrderAction.CLOSE, reason
    )
    order.closed_reason = reason
    request = await repo.request_of_order(session, order)
    for job in order.jobs:
        claim = await repo.claim_of_job(session, job.id)
        if claim is not None and claim.status not in SETTLED_STATUSES:
            raise OrderHasOpenClaim(f"claim {claim.id} on this order is {claim.status}")
        if job.status in OPEN_JOB_STATUSES:
            await apply_job_action(session, job, JobAction.CANCEL, actor, job_reason)
            await release_cancelled_fee(uow, job, order, request)
    # The order's events go on the timeline of its (first) job.
    audit.record(session, entity="order", entity_id=order.id, action="close", actor=actor,
                 job_id=order.jobs[0].id if order.jobs else None, from_status=before,
                 to_status=order.status, reason=reason)


async def add_note(app: Claims, actor: Principal, job_id: uuid.UUID, text: str) -> JobView:
    async with app.uow() as uow:
        await repo.job(uow.session, job_id)
        audit.note(uow.session, job_id, actor.subject, text)
        await uow.commit()
    return await get_job(app, actor, job_id)


async def expire_stale_jobs(app: Claims, now: datetime, limit: int = 100) -> int:
    """Expire New jobs nobody accepted within the window; returns how many."""
    async with app.uow() as uow:
        jobs = await repo.stale_new_jobs(uow.session, now - ACCEPTANCE_WINDOW, limit)
        for job in jobs:
            await apply_job_action(uow.session, job, JobAction.EXPIRE, SYSTEM, None)
        await uow.commit()
    return len(jobs)


async def get_request(
    app: Claims, viewer: Principal, request_id: uuid.UUID
) -> ServiceRequestRow:
    async with app.sessionmaker() as session:
        request = await repo.service_request(session, request_id)
    ensure_visible(viewer, request.customer_id, "service request", request_id)
    return request


async def get_order(app: Claims, viewer: Principal, order_id: uuid.UUID) -> ServiceOrderRow:
    async with app.sessionmaker() as session:
        order = await repo.order(session, order_id)
        request = await repo.request_of_order(session, order)
    ensure_visible(viewer, request.customer_id, "service order", order_id)
    return order


async def get_job(app: Claims, viewer: Principal, job_id: uuid.UUID) -> JobView:
    async with app.sessionmaker() as session:
        job = await repo.job(session, job_id)
        order, request = await repo.job_context(session, job_id)
        ensure_visible(viewer, request.customer_id, "service job", job_id)
        exceptions, notes = await repo.job_records(session, job_id)
        claim = await repo.claim_of_job(session, job_id)
    return JobView(job, order, request, exceptions, notes, claim.id if claim else None)
