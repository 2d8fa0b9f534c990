"""Service work: a request has one order per failing item, an order has service jobs.

Job: New -> Accepted | Rejected | Expired (not accepted within 24 h); Accepted -> Completed;
New or Accepted -> Cancelled (by the company, with a reason). Completed locks the job.
Order: Open -> Closed; closing cancels its open jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from services.claims.domain.errors import DomainError, JobNotStale, ReasonRequired
from services.claims.domain.machine import Rule, StateMachine, fan_in

ACCEPTANCE_WINDOW = timedelta(hours=24)


class Channel(StrEnum):
    PHONE = "phone"
    PORTAL = "portal"
    IVR = "ivr"


class JobKind(StrEnum):
    DISPATCHED = "dispatched"  # an in-network service pro
    BYOP = "byop"  # the customer's own pro


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
