"""The audit trail: one row per change, in the same transaction as the change itself.

``record`` stages the row in the session's ``info``; the claims unit of work
(``context.ClaimsUnitOfWork``), the only one its callers run in, writes every staged row in one
statement when it commits (the rows are never read back in their own transaction), and stages a
``claims.state_changed`` outbox message for each row that records a transition (it has a from
or to status; limit holds' are on the timeline only, ``context.TIMELINE_ONLY``), so the timeline
and the events commit together or not at all.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters.orm import JobNoteRow
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.repository import AuditEntry

_STAGED = "claims.audit"


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
) -> None:
    entry = AuditEntry(
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
    trail: list[AuditEntry] | None = session.info.get(_STAGED)
    if trail is None:
        # Only a claims unit of work writes staged rows: anywhere else the row would be lost.
        raise RuntimeError("audit.record outside a claims unit of work")
    trail.append(entry)


def open_trail(session: AsyncSession) -> None:
    """The claims unit of work's session takes audit rows (and writes them when it commits)."""
    session.info[_STAGED] = []


def staged(session: AsyncSession) -> list[AuditEntry]:
    """The rows recorded since the last call, in recording order (the unit of work writes
    them)."""
    entries: list[AuditEntry] = session.info.get(_STAGED, [])
    session.info[_STAGED] = []
    return entries


def note(
    session: AsyncSession, job_id: uuid.UUID, author: str, text: str,
    exception_id: uuid.UUID | None = None,
) -> None:
    session.add(JobNoteRow(job_id=job_id, author=author, text=text, exception_id=exception_id))
    record(session, entity="job" if exception_id is None else "exception",
           entity_id=job_id if exception_id is None else exception_id, job_id=job_id,
           action="note", actor=author, text=text)
