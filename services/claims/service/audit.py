"""The audit trail: one row per change, in the same transaction as the change itself."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters.orm import AuditEventRow, JobNoteRow


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
    session.add(
        AuditEventRow(
            job_id=job_id,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            actor=actor,
            from_status=None if from_status is None else from_status.value,
            to_status=None if to_status is None else to_status.value,
            detail={key: value for key, value in detail.items() if value is not None},
        )
    )


def note(session: AsyncSession, job_id: uuid.UUID, author: str, text: str) -> None:
    session.add(JobNoteRow(job_id=job_id, author=author, text=text))
    record(session, entity="job", entity_id=job_id, job_id=job_id, action="note",
           actor=author, text=text)
