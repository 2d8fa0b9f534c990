"""Use case: staff move an exception through their work states (start, pend, follow up, resume).

Completing an SS-Claim Credit Review is not theirs to do by hand: it completes when its claim is
paid or rejected, so a review can never be closed under a claim still waiting for money.
"""

from __future__ import annotations

import uuid

from services.claims.adapters import repository as repo
from services.claims.adapters.orm import JobExceptionRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.errors import IllegalTransition
from services.claims.domain.review import (
    EXCEPTION_MACHINE,
    STAFF_EXCEPTION_ACTIONS,
    ExceptionAction,
)
from services.claims.service import audit
from services.claims.service.context import Claims
from shared.auth import Principal


async def transition_exception(
    app: Claims, actor: Principal, exception_id: uuid.UUID, action: ExceptionAction,
    note: str | None,
) -> JobExceptionRow:
    async with app.uow() as uow:
        session = uow.session
        row = await repo.exception(session, exception_id, lock=True)
        if action not in STAFF_EXCEPTION_ACTIONS:
            raise IllegalTransition(
                "exception", row.status.value, action.value,
                (a.value for a in EXCEPTION_MACHINE.allowed(row.status)
                 if a in STAFF_EXCEPTION_ACTIONS),
            )
        before, row.status = row.status, EXCEPTION_MACHINE.fire(row.status, action, None)
        row.updated_at = utcnow()
        audit.record(session, entity="exception", entity_id=row.id, job_id=row.job_id,
                     action=action.value, actor=actor.subject, from_status=before,
                     to_status=row.status)
        if note:
            audit.note(session, row.job_id, actor.subject, note)
        await uow.commit()
    return row
