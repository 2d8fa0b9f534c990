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

from services.claims.adapters import repository as repo
from services.claims.adapters.orm import JobExceptionRow, JobNoteRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.errors import IllegalTransition
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
from services.claims.service import audit
from services.claims.service.context import Claims, ensure_visible
from shared.auth import Principal


@dataclass(frozen=True)
class ExceptionView:
    exception: JobExceptionRow
    notes: Sequence[JobNoteRow]


def _staff_may(row: JobExceptionRow, action: ExceptionAction) -> bool:
    """Staff complete the exceptions they open; a claim credit review completes by itself."""
    return action in STAFF_EXCEPTION_ACTIONS or row.type in STAFF_OPENED_TYPES


async def open_exception(
    app: Claims, actor: Principal, job_id: uuid.UUID, kind: ExceptionType, code: CommentCode,
    note: str,
) -> ExceptionView:
    validate_new_exception(kind, code)
    async with app.uow() as uow:
        session = uow.session
        job = await repo.job(session, job_id, lock=True)
        row = JobExceptionRow(id=uuid.uuid4(), job_id=job.id, type=kind, comment_code=code,
                              status=ExceptionStatus.OPEN, opened_by=actor.subject)
        session.add(row)
        await session.flush()
        audit.record(session, entity="exception", entity_id=row.id, job_id=job.id,
                     action="open", actor=actor.subject, to_status=row.status,
                     type=kind.value, comment_code=code.value)
        audit.note(session, job.id, actor.subject, note, exception_id=row.id)
        await uow.commit()
    return await get_exception(app, actor, row.id)


async def add_exception_note(
    app: Claims, actor: Principal, exception_id: uuid.UUID, text: str
) -> ExceptionView:
    """Notes are appended, never edited: there is no update or delete."""
    async with app.uow() as uow:
        row = await repo.exception(uow.session, exception_id)
        audit.note(uow.session, row.job_id, actor.subject, text, exception_id=row.id)
        await uow.commit()
    return await get_exception(app, actor, exception_id)


async def get_exception(app: Claims, viewer: Principal, exception_id: uuid.UUID) -> ExceptionView:
    async with app.sessionmaker() as session:
        row = await repo.exception(session, exception_id)
        _, request = await repo.job_context(session, row.job_id)
        ensure_visible(viewer, request.customer_id, "exception", exception_id)
        return ExceptionView(row, await repo.exception_notes(session, exception_id))


async def transition_exception(
    app: Claims, actor: Principal, exception_id: uuid.UUID, action: ExceptionAction,
    note: str | None,
) -> JobExceptionRow:
    async with app.uow() as uow:
        session = uow.session
        row = await repo.exception(session, exception_id, lock=True)
        if not _staff_may(row, action):
            raise IllegalTransition(
                "exception", row.status.value, action.value,
                (a.value for a in EXCEPTION_MACHINE.allowed(row.status) if _staff_may(row, a)),
            )
        before, row.status = row.status, EXCEPTION_MACHINE.fire(row.status, action, None)
        row.updated_at = utcnow()
        audit.record(session, entity="exception", entity_id=row.id, job_id=row.job_id,
                     action=action.value, actor=actor.subject, from_status=before,
                     to_status=row.status)
        if note:
            audit.note(session, row.job_id, actor.subject, note, exception_id=row.id)
        await uow.commit()
    return row
