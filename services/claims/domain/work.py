"""Service work: a request has one order per failing item, an order has service jobs.

Job: New -> Accepted | Rejected | Expired (not accepted within 24 h); Accepted -> Completed;
New or Accepted -> Cancelled (by the company, with a reason). Completed locks the job.
Order: Open -> Closed; closing cancels its open jobs.
A request may be cancelled (every order closed, every open job cancelled) only while no
technician has been out and each job still to cancel is New or Accepted.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from services.claims.domain.errors import (
    DomainError,
    JobNotStale,
    ReasonRequired,
    RequestNotCancellable,
    TechnicianAlreadyOut,
)
from services.claims.domain.events import Recorded, Transitioned, recorded, transitioned
from services.claims.domain.options import OptionKind
from shared.domain.machine import Rule, StateMachine, fan_in
from shared.money import Money

ACCEPTANCE_WINDOW = timedelta(hours=24)


class Channel(StrEnum):
    PHONE = "phone"
    PORTAL = "portal"
    IVR = "ivr"


class JobKind(StrEnum):
    DISPATCHED = "dispatched"  # an in-network service pro
    BYOP = "byop"  # the customer's own pro
    AUTO_REPLACEMENT = "auto_replacement"  # no visit: the item is replaced or credited


class JobStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class JobAction(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    EXPIRE = "expire"
    COMPLETE = "complete"
    CANCEL = "cancel"
    RECORD_VISIT = "record_visit"  # the technician has been out to the home


OPEN_JOB_STATUSES = frozenset({JobStatus.NEW, JobStatus.ACCEPTED})
# A claim can hang off a job that is open or done, not one that never happened.
CLAIMABLE_JOB_STATUSES = OPEN_JOB_STATUSES | {JobStatus.COMPLETED}


@dataclass(frozen=True)
class JobFacts:
    age: timedelta
    reason: str | None = None


def _reason_given(facts: JobFacts) -> DomainError | None:
    if facts.reason is None or not facts.reason.strip():
        return ReasonRequired("cancelling or rejecting a job needs a reason")
    return None


def _stale(facts: JobFacts) -> DomainError | None:
    if facts.age < ACCEPTANCE_WINDOW:
        return JobNotStale(f"a job expires only when not accepted within {ACCEPTANCE_WINDOW}")
    return None


JOB_MACHINE: StateMachine[JobStatus, JobAction, JobFacts] = StateMachine(
    "service job",
    [
        Rule(JobStatus.NEW, JobAction.ACCEPT, JobStatus.ACCEPTED),
        Rule(JobStatus.NEW, JobAction.REJECT, JobStatus.REJECTED, _reason_given),
        Rule(JobStatus.NEW, JobAction.EXPIRE, JobStatus.EXPIRED, _stale),
        Rule(JobStatus.ACCEPTED, JobAction.COMPLETE, JobStatus.COMPLETED),
        Rule(JobStatus.ACCEPTED, JobAction.RECORD_VISIT, JobStatus.ACCEPTED),
        *fan_in(OPEN_JOB_STATUSES, JobAction.CANCEL, JobStatus.CANCELLED, _reason_given),
    ],
)


class OrderStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class OrderAction(StrEnum):
    CLOSE = "close"


def _close_reason(reason: str | None) -> DomainError | None:
    return _reason_given(JobFacts(age=timedelta(0), reason=reason))


ORDER_MACHINE: StateMachine[OrderStatus, OrderAction, str | None] = StateMachine(
    "service order", [Rule(OrderStatus.OPEN, OrderAction.CLOSE, OrderStatus.CLOSED, _close_reason)]
)


def cancel_releases_fee(kind: JobKind, technician_out: bool) -> bool:
    """A cancelled job owes no service fee when it was a network dispatch (the only kind that
    is billed one) and no technician went out: the visit the fee pays for never happens. Once
    a technician has been out, closing the order cancels the job but the visit was made."""
    return kind is JobKind.DISPATCHED and not technician_out


@dataclass(frozen=True)
class JobSnapshot:
    status: JobStatus
    technician_out: bool


# Jobs that are over without work: cancelling the request leaves them as they are.
ENDED_WITHOUT_WORK = frozenset({JobStatus.REJECTED, JobStatus.EXPIRED, JobStatus.CANCELLED})


def ensure_request_cancellable(jobs: Sequence[JobSnapshot]) -> None:
    """The cancel-a-request checklist: has the technician been out? is each job New or
    Accepted? (A completed job is work done: that request is not cancelled, it is closed.)"""
    if any(job.technician_out for job in jobs):
        raise TechnicianAlreadyOut("a technician has been out to the home; close the order")
    blocking = sorted({job.status.value for job in jobs
                       if job.status not in OPEN_JOB_STATUSES | ENDED_WITHOUT_WORK})
    if blocking:
        raise RequestNotCancellable(
            f"jobs in status {', '.join(blocking)}: only New or Accepted jobs can be cancelled"
        )
    if not any(job.status in OPEN_JOB_STATUSES for job in jobs):
        raise RequestNotCancellable("the request has no open job left to cancel")


class ServiceJobState(Protocol):
    id: uuid.UUID
    kind: JobKind
    status: JobStatus
    created_at: datetime
    status_changed_at: datetime
    cancel_reason: str | None
    technician_out_at: datetime | None


class ServiceJob:
    """A job's behaviour (a mixin of methods only, as ``claim_entity.Claim``)."""

    def created(self: ServiceJobState, *, order_id: uuid.UUID,
                request_id: uuid.UUID, channel: Channel, actor: str, at: datetime
                ) -> list[Transitioned]:
        """The entry of a new job (New), with the order and request it opens."""
        return [transitioned(entity="job", entity_id=self.id, job_id=self.id, action="create",
                             actor=actor, at=at, to_status=self.status, order_id=str(order_id),
                             request_id=str(request_id), channel=channel.value,
                             kind=self.kind.value)]

    def dispatched(self: ServiceJobState, *, trade: str, service_fee: Money, actor: str,
                   at: datetime) -> list[Recorded]:
        """The network job goes out, owing the trade's ``service_fee`` (what billing bills)."""
        return [recorded(entity="job", entity_id=self.id, job_id=self.id, action="dispatch",
                         actor=actor, at=at, trade=trade, service_fee=str(service_fee))]

    def act(self: ServiceJobState, action: JobAction, *, actor: str, reason: str | None,
            at: datetime) -> list[Transitioned]:
        before = self.status
        self.status = JOB_MACHINE.fire(before, action, JobFacts(age=at - self.created_at,
                                                                 reason=reason))
        self.status_changed_at = at
        if action in (JobAction.CANCEL, JobAction.REJECT):
            # Annotated: mypy takes a mixin's writes as its own attributes.
            self.cancel_reason: str | None = reason
        if action is JobAction.RECORD_VISIT:
            self.technician_out_at: datetime | None = self.technician_out_at or at
        return [transitioned(entity="job", entity_id=self.id, job_id=self.id,
                             action=action.value, actor=actor, at=at, from_status=before,
                             to_status=self.status, reason=reason)]


class ServiceOrderState(Protocol):
    id: uuid.UUID
    status: OrderStatus
    closed_reason: str | None


class ServiceOrder:
    """An order's behaviour (a mixin of methods only, as ``claim_entity.Claim``)."""

    def options_posted(self: ServiceOrderState, options: Sequence[Mapping[str, str | None]], *,
                       job_id: uuid.UUID | None, actor: str, at: datetime, **detail: Any
                       ) -> list[Recorded]:
        """The entry of the options offered (each its kind and amount, as text)."""
        return [recorded(entity="order", entity_id=self.id, job_id=job_id,
                         action="post_options", actor=actor, at=at, **detail,
                         options=list(options))]

    def option_accepted(self: ServiceOrderState, chosen: OptionKind,
                        declined: Sequence[OptionKind], *, job_id: uuid.UUID | None,
                        actor: str, at: datetime) -> list[Recorded]:
        return [recorded(entity="order", entity_id=self.id, job_id=job_id,
                         action="accept_option", actor=actor, at=at, option=chosen.value,
                         declined=[kind.value for kind in declined])]

    def close(self: ServiceOrderState, reason: str, *, job_id: uuid.UUID | None, actor: str,
              at: datetime) -> list[Transitioned]:
        """Closed with ``reason``; its events go on the timeline of ``job_id`` (its first)."""
        before = self.status
        self.status = ORDER_MACHINE.fire(before, OrderAction.CLOSE, reason)
        self.closed_reason: str | None = reason  # annotated: as in ``ServiceJob.act``
        return [transitioned(entity="order", entity_id=self.id, action="close", actor=actor,
                             job_id=job_id, at=at, from_status=before, to_status=self.status,
                             reason=reason)]
