"""What the claims entities announce: entries of a job's timeline (the audit trail).

Each event is one audit row; the claims unit of work writes them all in one statement when it
commits (``adapters.unit_of_work.ClaimsUnitOfWork.publish``). A ``Transitioned`` is also a
``claims.state_changed`` message, but for limit holds (``TIMELINE_ONLY``); a ``Recorded`` is on
the timeline only; a ``Noted`` is a job note as well as its timeline row. A ``PayoutRequested``
is no timeline entry: it is the ``payouts.request_payout`` command. Pure: no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from shared.domain.events import DomainEvent

if TYPE_CHECKING:
    from services.claims.domain.claim_entity import ClaimState

# On the timeline, never published: a limit hold moves only with its claim, in the transaction of
# a claim transition that is published (approve reserves, paid consumes, a failed, cancelled or
# returned payout releases), and its message would carry only the hold's own id and statuses
# (the contract has no amount or limit), so a consumer learns nothing from it that the claim's
# message does not tell, and it was a quarter of a paid claim's messages (bench/RESULTS.md).
TIMELINE_ONLY = frozenset({"limit_hold"})


@dataclass(frozen=True, slots=True)
class TimelineEntry(DomainEvent):
    """One row of the audit trail, as the unit of work writes it."""

    job_id: uuid.UUID | None
    entity: str
    entity_id: str
    action: str
    actor: str
    from_status: str | None
    to_status: str | None
    detail: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class PayoutRequested(DomainEvent):
    """An approval asks for the claim's next payout: the unit of work sends it as the
    ``payouts.request_payout`` command, in the approval's commit; ``payout_key`` makes every
    redelivery of it the same payout. Not on the timeline (the approval's entry names the
    key)."""

    claim: ClaimState  # the approved claim: the payee, the amount and where the money is owed
    payout_key: str
    requested_by: str


@dataclass(frozen=True, slots=True)
class Transitioned(TimelineEntry):
    """A status change (or a creation, with no ``from_status``)."""


@dataclass(frozen=True, slots=True)
class Recorded(TimelineEntry):
    """A change that is no transition (payment details, options, a decision): timeline only."""


@dataclass(frozen=True, slots=True)
class Noted(TimelineEntry):
    """A note appended to a job (on one of its exceptions with ``exception_id``)."""

    text: str
    exception_id: uuid.UUID | None


def _details(detail: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in detail.items() if value is not None}


def transitioned(
    *, entity: str, entity_id: uuid.UUID | str, job_id: uuid.UUID | None, action: str,
    actor: str, at: datetime, from_status: StrEnum | None = None,
    to_status: StrEnum | None = None, **detail: Any,
) -> Transitioned:
    """The entry of a status change; details that are None are left out."""
    return Transitioned(
        job_id, entity, str(entity_id), action, actor,
        None if from_status is None else from_status.value,
        None if to_status is None else to_status.value,
        _details(detail), at,
    )


def recorded(
    *, entity: str, entity_id: uuid.UUID | str, job_id: uuid.UUID | None, action: str,
    actor: str, at: datetime, **detail: Any,
) -> Recorded:
    """The entry of a change that moves no status; details that are None are left out."""
    return Recorded(job_id, entity, str(entity_id), action, actor, None, None,
                    _details(detail), at)


def noted(
    job_id: uuid.UUID, author: str, text: str, at: datetime,
    exception_id: uuid.UUID | None = None,
) -> Noted:
    """A note on the job, or on its exception ``exception_id`` (on the job's notes too)."""
    return Noted(
        job_id, "job" if exception_id is None else "exception",
        str(job_id if exception_id is None else exception_id), "note", author, None, None,
        {"text": text}, at, text, exception_id,
    )
