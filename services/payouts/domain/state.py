"""The attributes of a payout and of an attempt that their behaviour reads and writes.

``domain.payout`` and ``domain.attempts`` change them through these protocols (mypy's
"protocol as the self-type of a mixin"): the ORM rows inherit the behaviour and hold the
attributes, so the domain names no ORM and a unit test changes plain objects.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol


class PayoutState(Protocol):
    id: uuid.UUID
    status: str
    status_reason: str | None
    updated_at: datetime
    rail: str
    requested_by: str
    decided_by: str | None
    approval_reasons: list[str] | None
    reissue_on_cancel: bool
    deadline_at: datetime | None
    sla_breached_at: datetime | None


class AttemptState(Protocol):
    id: str
    status: str
    provider_reference: str | None
    provider_status: str | None
    status_reason: str | None
    lease_until: datetime
    updated_at: datetime
    sends: int
    checks: int
