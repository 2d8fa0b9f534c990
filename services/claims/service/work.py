"""Use cases on service work: open a request (one order and one job per failing item), move a
job, close an order, append a note, expire jobs nobody accepted, and read them back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.claims.adapters.orm import (
    ContractRow,
    JobExceptionRow,
    JobNoteRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.claim import SETTLED_STATUSES
from services.claims.domain.contract import ensure_entitled
from services.claims.domain.errors import ItemNotCovered, OrderHasOpenClaim
from services.claims.domain.events import noted
from services.claims.domain.work import (
    ACCEPTANCE_WINDOW,
    OPEN_JOB_STATUSES,
    Channel,
    JobAction,
    JobKind,
    JobStatus,
    OrderStatus,
)
from services.claims.service.context import SYSTEM, ServiceContext, ensure_visible
from services.claims.service.fees import release_cancelled_fee
from shared.auth import Principal


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
    uow: ClaimsUnitOfWork, actor: Principal, contract: ContractRow, channel: Channel,
    orders: Sequence[NewOrder], kinds: Sequence[JobKind],
) -> tuple[ServiceRequestRow, list[tuple[ServiceOrderRow, ServiceJobRow]]]:
    """Request, orders and their first jobs, one job kind per order (the contract's items must
    be loaded); each new order with its job."""
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
    await uow.requests.add(request)
    placed = []
    for position, (new, kind) in enumerate(zip(orders, kinds, strict=True)):
        order = ServiceOrderRow(
            id=uuid.uuid4(), request_id=request.id, position=position,
            covered_item_id=new.covered_item_id, problem=new.problem, status=OrderStatus.OPEN,
        )
        await uow.requests.add(order)
        job = ServiceJobRow(id=uuid.uuid4(), order_id=order.id, kind=kind, status=JobStatus.NEW)
        await uow.jobs.add(job)
        placed.append((order, job))
        uow.record(*job.created(order_id=order.id, request_id=request.id,
                                channel=channel, actor=actor.subject, at=utcnow()))
    return request, placed


async def transition_job(
    app: ServiceContext, actor: Principal, job_id: uuid.UUID, action: JobAction,
    reason: str | None,
) -> JobView:
    async with app.uow() as uow:
        job = await uow.jobs.get(job_id, lock=True)
        uow.record(*job.act(action, actor=actor.subject, reason=reason, at=utcnow()))
        if action is JobAction.CANCEL:
            await release_cancelled_fee(uow, job, *await uow.jobs.context(job.id))
        await uow.commit()
    return await get_job(app, actor, job_id)


async def close_order(
    app: ServiceContext, actor: Principal, order_id: uuid.UUID, reason: str
) -> ServiceOrderRow:
    """Closing an order cancels its open jobs; refused while a claim on it is being paid."""
    async with app.uow() as uow:
        order = await uow.requests.order(order_id, lock=True)
        await close_locked_order(uow, order, actor.subject, reason,
                                 f"service order closed: {reason}")
        await uow.commit()
    return await get_order(app, actor, order_id)


async def close_locked_order(
    uow: ClaimsUnitOfWork, order: ServiceOrderRow, actor: str, reason: str, job_reason: str
) -> None:
    """Close ``order`` (locked, jobs loaded) and cancel each open job with ``job_reason``.

    Every cancellation of a job in an order goes through here (request cancelled, order
    closed), so each job whose visit will not happen releases its fee here too.
    """
    now = utcnow()
    # The order's events go on the timeline of its (first) job, after its jobs'.
    closed = order.close(reason, job_id=order.jobs[0].id if order.jobs else None, actor=actor,
                         at=now)
    request = await uow.requests.of_order(order)
    for job in order.jobs:
        claim = await uow.claims.of_job(job.id)
        if claim is not None and claim.status not in SETTLED_STATUSES:
            raise OrderHasOpenClaim(f"claim {claim.id} on this order is {claim.status}")
        if job.status in OPEN_JOB_STATUSES:
            uow.record(*job.act(JobAction.CANCEL, actor=actor, reason=job_reason, at=now))
            await release_cancelled_fee(uow, job, order, request)
    uow.record(*closed)


async def add_note(
    app: ServiceContext, actor: Principal, job_id: uuid.UUID, text: str
) -> JobView:
    async with app.uow() as uow:
        await uow.jobs.get(job_id)
        uow.record(noted(job_id, actor.subject, text, utcnow()))
        await uow.commit()
    return await get_job(app, actor, job_id)


async def expire_stale_jobs(app: ServiceContext, now: datetime, limit: int = 100) -> int:
    """Expire New jobs nobody accepted within the window; returns how many."""
    async with app.uow() as uow:
        jobs = await uow.jobs.stale_new(now - ACCEPTANCE_WINDOW, limit)
        for job in jobs:
            uow.record(*job.act(JobAction.EXPIRE, actor=SYSTEM, reason=None, at=utcnow()))
        await uow.commit()
    return len(jobs)


async def get_request(
    app: ServiceContext, viewer: Principal, request_id: uuid.UUID
) -> ServiceRequestRow:
    async with app.uow() as uow:
        request = await uow.requests.get(request_id)
    ensure_visible(viewer, request.customer_id, "service request", request_id)
    return request


async def get_order(
    app: ServiceContext, viewer: Principal, order_id: uuid.UUID
) -> ServiceOrderRow:
    async with app.uow() as uow:
        order = await uow.requests.order(order_id)
        request = await uow.requests.of_order(order)
    ensure_visible(viewer, request.customer_id, "service order", order_id)
    return order


async def get_job(app: ServiceContext, viewer: Principal, job_id: uuid.UUID) -> JobView:
    async with app.uow() as uow:
        job = await uow.jobs.get(job_id)
        order, request = await uow.jobs.context(job_id)
        ensure_visible(viewer, request.customer_id, "service job", job_id)
        exceptions = await uow.exceptions.of_job(job_id)
        notes = await uow.timeline.notes(job_id)
        claim = await uow.claims.of_job(job_id)
    return JobView(job, order, request, exceptions, notes, claim.id if claim else None)
