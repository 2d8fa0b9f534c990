"""An exception moves itself through its work states and names its claim when it opens."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.claims.domain.errors import IllegalTransition
from services.claims.domain.review import ExceptionAction, ExceptionStatus
from tests.unit.claims.fakes import T0, FakeException

LATER = T0 + timedelta(hours=1)


def test_a_review_opens_with_its_claim_on_the_entry() -> None:
    review = FakeException()
    claim_id = uuid.uuid4()
    [event] = review.opened(actor="cust-1", at=T0, claim_id=claim_id)
    assert (event.entity, event.entity_id, event.job_id, event.action, event.from_status,
            event.to_status) == ("exception", str(review.id), review.job_id, "open", None, "open")
    assert dict(event.detail) == {"type": "ss_claim_credit_review", "comment_code": "CCA",
                                  "claim_id": str(claim_id)}


def test_a_reopened_review_says_why() -> None:
    review = FakeException(status=ExceptionStatus.FOLLOW_UP)
    [event] = review.reopened(actor="system", at=T0, reason="account closed")
    assert (event.action, event.to_status, event.detail["reason"]) == (
        "reopen", "follow_up", "account closed")


def test_completing_a_review_records_why() -> None:
    review = FakeException(status=ExceptionStatus.IN_PROGRESS)
    [event] = review.move(ExceptionAction.COMPLETE, actor="ss-1", at=LATER,
                          reason="claim rejected")
    assert (review.status, review.updated_at) == (ExceptionStatus.COMPLETE, LATER)
    assert (event.from_status, event.to_status, dict(event.detail)) == (
        "in_progress", "complete", {"reason": "claim rejected"})


def test_a_complete_exception_moves_no_more() -> None:
    review = FakeException(status=ExceptionStatus.COMPLETE)
    assert not review.may(ExceptionAction.FOLLOW_UP)
    with pytest.raises(IllegalTransition):
        review.move(ExceptionAction.FOLLOW_UP, actor="system", at=LATER)
    assert (review.status, review.updated_at) == (ExceptionStatus.COMPLETE, T0)
