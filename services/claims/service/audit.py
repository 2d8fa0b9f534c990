"""The audit trail: one row per change, in the same transaction as the change itself.

A row that records a transition (it has a from or to status) is also published as
``claims.state_changed``: ``record`` leaves it in the session's ``info`` and the claims unit of
work (``context.ClaimsUnitOfWork``) stages one outbox message per row when it commits, so the
timeline and the event commit together or not at all.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters.orm import AuditEventRow, JobNoteRow
from services.claims.adapters.orm.base import utcnow

TRANSITIONS = "claims.transitions"


def record(
    session: AsyncSession,
    *,
    entity: str,
    entity_id: uuid.UUID | str,
    action: str,
    actor: str,
    job_id: uuid.UUID | None = None,
    from_status: StrEnum | None = None,
    to_status: StrEnum | None = None,
    **detail: Any,
) -> AuditEventRow:
    row = AuditEventRow(
        job_id=job_id,
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        actor=actor,
        from_status=None if from_status is None else from_status.value,
        to_status=None if to_status is None else to_status.value,
        detail={key: value for key, value in detail.items() if value is not None},
        at=utcnow(),
    )
    session.add(row)
    if from_status is not None or to_status is not None:
        session.info.setdefault(TRANSITIONS, []).append(row)
    return row


def pending_transitions(session: AsyncSession) -> list[AuditEventRow]:
    """The transitions recorded since the last call (the unit of work publishes them)."""
    rows: list[AuditEventRow] = session.info.pop(TRANSITIONS, [])
    return rows


def note(
    session: AsyncSession, job_id: uuid.UUID, author: str, text: str,
    exception_id: uuid.UUID | None = None,
) -> None:
    session.add(JobNoteRow(job_id=job_id, author=author, text=text, exception_id=exception_id))
    record(session, entity="job" if exception_id is None else "exception",
           entity_id=job_id if exception_id is None else exception_id, job_id=job_id,
           action="note", actor=author, text=text)
