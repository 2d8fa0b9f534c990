"""Exceptions: typed work items opened on a service job for another team.

An SS-Claim Credit Review exception tells Support Services a claim is ready for review; its
comment code says why (CCA, CAP, HVAC, HWH, OUTNTWRKFRR). "Open" means any status but Complete.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from services.claims.domain.contract import ItemKind
from services.claims.domain.errors import InvalidException
from services.claims.domain.events import Transitioned, transitioned
from shared.domain.machine import Rule, StateMachine, fan_in
from shared.money import Money


class ExceptionType(StrEnum):
    SS_CLAIM_CREDIT_REVIEW = "ss_claim_credit_review"
    SS_CREDIT_DEBIT_MEMO = "ss_credit_debit_memo_request"
    SS_UNAUTHORIZED_CLAIM_REVIEW = "ss_unauthorized_claim_review"


class CommentCode(StrEnum):
    CCA = "CCA"  # claim credit accepted
    CAP = "CAP"  # review for cap limit
    HVAC = "HVAC"
    HWH = "HWH"  # water heater
    OUTNTWRKFRR = "OUTNTWRKFRR"  # out-of-network (BYOP) service pro reimbursement request
    CRDT = "CRDT"
    DBT = "DBT"
    UNAUTH = "UNAUTH"


class ExceptionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    FOLLOW_UP = "follow_up"
    COMPLETE = "complete"


class ExceptionAction(StrEnum):
    START = "start"
    PEND = "pend"
    FOLLOW_UP = "follow_up"
    RESUME = "resume"
    COMPLETE = "complete"


OPEN_EXCEPTION_STATUSES = frozenset(set(ExceptionStatus) - {ExceptionStatus.COMPLETE})
# Completion is the system's: the review ends when the claim is paid or rejected.
STAFF_EXCEPTION_ACTIONS = frozenset(set(ExceptionAction) - {ExceptionAction.COMPLETE})

_S = ExceptionStatus
_A = ExceptionAction
EXCEPTION_MACHINE: StateMachine[ExceptionStatus, ExceptionAction, None] = StateMachine(
    "exception",
    [
        Rule(_S.OPEN, _A.START, _S.IN_PROGRESS),
        *fan_in((_S.OPEN, _S.IN_PROGRESS, _S.FOLLOW_UP), _A.PEND, _S.PENDING),
        *fan_in((_S.OPEN, _S.IN_PROGRESS, _S.PENDING), _A.FOLLOW_UP, _S.FOLLOW_UP),
        *fan_in((_S.PENDING, _S.FOLLOW_UP), _A.RESUME, _S.IN_PROGRESS),
        *fan_in(OPEN_EXCEPTION_STATUSES, _A.COMPLETE, _S.COMPLETE),
    ],
)


def review_comment(
    *, byop: bool, item: ItemKind, amount: Money, per_claim_cap: Money
) -> CommentCode:
    """Why Support Services must look: a BYOP reimbursement, a credit above the plan's per-claim
    cap, a trade with its own reviewers (HVAC, water heater), or a plain accepted credit."""
    if byop:
        return CommentCode.OUTNTWRKFRR
    if amount > per_claim_cap:
        return CommentCode.CAP
    if item is ItemKind.HVAC:
        return CommentCode.HVAC
    if item is ItemKind.WATER_HEATER:
        return CommentCode.HWH
    return CommentCode.CCA


# The comment codes each type takes. The claim credit review is opened by the system with the
# claim it reviews; staff open the other types themselves.
COMMENT_CODES: dict[ExceptionType, frozenset[CommentCode]] = {
    ExceptionType.SS_CLAIM_CREDIT_REVIEW: frozenset(
        {CommentCode.CCA, CommentCode.CAP, CommentCode.HVAC, CommentCode.HWH,
         CommentCode.OUTNTWRKFRR}
    ),
    ExceptionType.SS_CREDIT_DEBIT_MEMO: frozenset({CommentCode.CRDT, CommentCode.DBT}),
    ExceptionType.SS_UNAUTHORIZED_CLAIM_REVIEW: frozenset({CommentCode.UNAUTH}),
}
STAFF_OPENED_TYPES = frozenset(
    {ExceptionType.SS_CREDIT_DEBIT_MEMO, ExceptionType.SS_UNAUTHORIZED_CLAIM_REVIEW}
)


def validate_new_exception(kind: ExceptionType, code: CommentCode) -> None:
    if kind not in STAFF_OPENED_TYPES:
        raise InvalidException(
            "an SS-Claim Credit Review is opened by the claim it reviews, not by hand"
        )
    if code not in COMMENT_CODES[kind]:
        allowed = ", ".join(sorted(c.value for c in COMMENT_CODES[kind]))
        raise InvalidException(f"{kind.value} takes comment code {allowed}, not {code.value}")


class JobExceptionState(Protocol):
    id: uuid.UUID
    job_id: uuid.UUID
    type: ExceptionType
    comment_code: CommentCode
    status: ExceptionStatus
    updated_at: datetime


class JobException:
    """An exception's behaviour (a mixin of methods only, as ``claim_entity.Claim``)."""

    def opened(self: JobExceptionState, *, actor: str, at: datetime,
               claim_id: uuid.UUID | None = None) -> list[Transitioned]:
        """The entry of a new exception (a claim's review names its claim)."""
        return [transitioned(
            entity="exception", entity_id=self.id, job_id=self.job_id, action="open",
            actor=actor, at=at, to_status=self.status, type=self.type.value,
            comment_code=self.comment_code.value,
            claim_id=None if claim_id is None else str(claim_id),
        )]

    def reopened(self: JobExceptionState, *, actor: str, at: datetime, reason: str | None
                 ) -> list[Transitioned]:
        """The entry of a review opened again in place of a completed one."""
        return [transitioned(
            entity="exception", entity_id=self.id, job_id=self.job_id, action="reopen",
            actor=actor, at=at, to_status=self.status, type=self.type.value,
            comment_code=self.comment_code.value, reason=reason,
        )]

    def may(self: JobExceptionState, action: ExceptionAction) -> bool:
        """True if the table moves the exception by ``action`` from where it is."""
        return EXCEPTION_MACHINE.can(self.status, action)

    def move(self: JobExceptionState, action: ExceptionAction, *, actor: str, at: datetime,
             reason: str | None = None, claim_status: str | None = None
             ) -> list[Transitioned]:
        before = self.status
        self.status = EXCEPTION_MACHINE.fire(before, action, None)
        self.updated_at = at
        return [transitioned(
            entity="exception", entity_id=self.id, job_id=self.job_id, action=action.value,
            actor=actor, at=at, from_status=before, to_status=self.status, reason=reason,
            claim_status=claim_status,
        )]
