"""Use cases on exceptions: staff open the typed ones that are theirs (SS-Credit/Debit Memo
Request: CRDT or DBT; SS-Unauthorized Claim Review: UNAUTH), move them through their work
states (start, pend, follow up, resume, and complete for those types), and append notes.

Completing an SS-Claim Credit Review is not theirs to do by hand: it completes when its claim is
paid or rejected, so a review can never be closed under a claim still waiting for money.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.claims.adapters.orm import JobExceptionRow, JobNoteRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.errors import IllegalTransition
from services.claims.domain.events import noted
from services.claims.domain.review import (
    EXCEPTION_MACHINE,
    STAFF_EXCEPTION_ACTIONS,
    STAFF_OPENED_TYPES,
    CommentCode,
    ExceptionAction,
    ExceptionStatus,
    ExceptionType,
    validate_new_exception,
)
from services.claims.service.context import ServiceContext, ensure_visible
from shared.auth import Principal


@dataclass(frozen=True)
class ExceptionView:
    exception: JobExceptionRow
    notes: Sequence[JobNoteRow]


def _staff_may(row: JobExceptionRow, action: ExceptionAction) -> bool:
    """Staff complete the exceptions they open; a claim credit review completes by itself."""
    return action in STAFF_EXCEPTION_ACTIONS or row.type in STAFF_OPENED_TYPES


async def open_exception(
    app: ServiceContext, actor: Principal, job_id: uuid.UUID, kind: ExceptionType,
    code: CommentCode, note: str,
) -> ExceptionView:
    validate_new_exception(kind, code)
    async with app.uow() as uow:
        job = await uow.jobs.get(job_id, lock=True)
        row = JobExceptionRow(id=uuid.uuid4(), job_id=job.id, type=kind, comment_code=code,
                              status=ExceptionStatus.OPEN, opened_by=actor.subject)
        await uow.exceptions.add(row, now=True)
        now = utcnow()
        uow.record(*row.opened(actor=actor.subject, at=now),
                   noted(job.id, actor.subject, note, now, exception_id=row.id))
        await uow.commit()
    return await get_exception(app, actor, row.id)


async def add_exception_note(
    app: ServiceContext, actor: Principal, exception_id: uuid.UUID, text: str
) -> ExceptionView:
    """Notes are appended, never edited: there is no update or delete."""
    async with app.uow() as uow:
        row = await uow.exceptions.get(exception_id)
        uow.record(noted(row.job_id, actor.subject, text, utcnow(), exception_id=row.id))
        await uow.commit()
    return await get_exception(app, actor, exception_id)


async def get_exception(
    app: ServiceContext, viewer: Principal, exception_id: uuid.UUID
) -> ExceptionView:
    async with app.uow() as uow:
        row = await uow.exceptions.get(exception_id)
        _, request = await uow.jobs.context(row.job_id)
        ensure_visible(viewer, request.customer_id, "exception", exception_id)
        return ExceptionView(row, await uow.exceptions.notes(exception_id))


async def transition_exception(
    app: ServiceContext, actor: Principal, exception_id: uuid.UUID, action: ExceptionAction,
    note: str | None,
) -> JobExceptionRow:
    async with app.uow() as uow:
        row = await uow.exceptions.get(exception_id, lock=True)
        if not _staff_may(row, action):
            raise IllegalTransition(
                "exception", row.status.value, action.value,
                (a.value for a in EXCEPTION_MACHINE.allowed(row.status) if _staff_may(row, a)),
            )
        uow.record(*row.move(action, actor=actor.subject, at=utcnow()))
        if note:
            uow.record(noted(row.job_id, actor.subject, note, row.updated_at,
                             exception_id=row.id))
        await uow.commit()
    return row
