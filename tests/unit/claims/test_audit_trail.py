"""Audit rows are written by the claims unit of work at commit; recording one anywhere else
would lose it, so it is refused."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.service import audit


def _record(session: AsyncSession) -> None:
    audit.record(session, entity="claim", entity_id=uuid.uuid4(), action="approve",
                 actor="support-sam")


def test_recording_outside_a_claims_unit_of_work_is_refused() -> None:
    with pytest.raises(RuntimeError, match="outside a claims unit of work"):
        _record(AsyncSession())


def test_a_trail_keeps_the_rows_in_recording_order_until_they_are_taken() -> None:
    session = AsyncSession()
    audit.open_trail(session)
    _record(session)
    audit.record(session, entity="claim", entity_id="c-1", action="pay", actor="system")
    taken = audit.staged(session)
    assert [entry.action for entry in taken] == ["approve", "pay"]
    assert audit.staged(session) == []
