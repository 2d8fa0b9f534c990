"""What the claims unit of work makes of the entities' events when it commits: every event is
a row of the audit trail, in recording order; a transition (but a limit hold's) is also a
``claims.state_changed`` message; a note is also a job note; an approval's payout request is
the ``payouts.request_payout`` command, sent first. No database: a fake timeline."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from typing import cast

import pytest

from services.claims.adapters.repositories import TimelineRepository
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.approval import Approval
from services.claims.domain.claim import ClaimFacts, ClaimStatus
from services.claims.domain.events import Noted, TimelineEntry, noted, recorded, transitioned
from services.claims.domain.limits import HoldStatus
from services.claims.domain.payout import payout_key, payout_memo
from shared.domain.events import DomainEvent
from shared.messaging.contracts import (
    ClaimsStateChangedV1,
    Contract,
    Payee,
    PayeeKind,
    PayoutSource,
    Rail,
    RequestPayoutV1,
)
from shared.messaging.envelope import Envelope
from shared.money import Money
from shared.uow import Sessions
from tests.unit.claims.fakes import T0, FakeClaim


class FakeTimeline:
    def __init__(self) -> None:
        self.rows: list[TimelineEntry] = []
        self.notes: list[Noted] = []

    async def write(self, entries: Sequence[TimelineEntry]) -> None:
        self.rows.extend(entries)

    def add_notes(self, notes: Iterable[Noted]) -> None:
        self.notes.extend(notes)


class Recording(ClaimsUnitOfWork):
    """The claims unit of work, its outbox kept in a list."""

    def __init__(self, correlation_id: str | None = None) -> None:
        super().__init__(cast(Sessions, None), "claims", correlation_id=correlation_id)
        self.fake = FakeTimeline()
        self.timeline = cast(TimelineRepository, self.fake)
        self.sent: list[tuple[Contract, str | None]] = []

    def emit(self, message: Contract, *, correlation_id: str | None = None) -> Envelope:
        self.sent.append((message, correlation_id))
        return super().emit(message, correlation_id=correlation_id)


def publish(uow: ClaimsUnitOfWork, *events: DomainEvent) -> None:
    asyncio.run(uow.publish(events))


JOB = uuid.uuid4()
CLAIM = uuid.uuid4()


def test_every_event_is_a_row_in_order_and_only_transitions_are_published() -> None:
    uow = Recording()
    approve = transitioned(entity="claim", entity_id=CLAIM, job_id=JOB, action="approve",
                           actor="ss-1", at=T0, from_status=ClaimStatus.UNDER_REVIEW,
                           to_status=ClaimStatus.APPROVED, reason="ok", payout_key=None)
    hold = transitioned(entity="limit_hold", entity_id=uuid.uuid4(), job_id=JOB,
                        action="reserve", actor="ss-1", at=T0, to_status=HoldStatus.RESERVED)
    details = recorded(entity="claim", entity_id=CLAIM, job_id=JOB, action="select_payment",
                       actor="cust-1", at=T0, rail="check")
    note = noted(JOB, "ss-1", "called the customer", T0)
    publish(uow, hold, approve, details, note)
    assert uow.fake.rows == [hold, approve, details, note]
    assert uow.fake.notes == [note]
    [(message, correlation)] = uow.sent
    assert message == ClaimsStateChangedV1(
        entity="claim", entity_id=str(CLAIM), action="approve", from_status="under_review",
        to_status="approved", actor="ss-1", reason="ok", at=T0)
    assert correlation == str(JOB)  # the unit of work has none: the job's flow
    assert "payout_key" not in approve.detail


def test_a_transition_goes_with_the_unit_of_work_s_flow_when_it_has_one() -> None:
    uow = Recording(correlation_id="claim-flow")
    publish(uow, transitioned(entity="contract", entity_id=CLAIM, job_id=None, action="create",
                              actor="agent-1", at=T0, to_status=ClaimStatus.SAVED))
    assert [correlation for _, correlation in uow.sent] == ["claim-flow"]


def test_a_note_on_an_exception_is_on_the_exception_s_timeline() -> None:
    exception = uuid.uuid4()
    note = noted(JOB, "ss-1", "waiting on the invoice", T0, exception_id=exception)
    assert (note.entity, note.entity_id, note.action, note.actor, dict(note.detail)) == (
        "exception", str(exception), "note", "ss-1", {"text": "waiting on the invoice"})


def test_an_event_that_is_no_timeline_entry_is_refused() -> None:
    uow = Recording()
    with pytest.raises(TypeError, match="does not publish DomainEvent"):
        publish(uow, DomainEvent())
    assert uow.fake.rows == []




def test_an_approval_sends_its_payout_request_before_its_own_message() -> None:
    claim = FakeClaim(status=ClaimStatus.UNDER_REVIEW, payout_sequence=0)
    approval = Approval(approver="ss-1", supervisor=False, override=False,
                        approval_limit=Money.of("1000.00"), per_claim_cap=Money.of("5000.00"),
                        remaining_aggregate=Money.of("9999.99"))
    facts = ClaimFacts(payable=Money(claim.payable), created_by=claim.created_by,
                       review_open=True, payment_selected=True, payment_confirmed=True,
                       approval=approval)
    requested, approved = claim.approve(facts, actor="ss-1", at=T0)
    uow = Recording(correlation_id=str(claim.id))
    publish(uow, requested, approved)
    assert uow.fake.rows == [approved]  # the request is no timeline entry
    (command, _), (changed, _) = uow.sent
    assert type(changed) is ClaimsStateChangedV1
    assert command == RequestPayoutV1(
        payout_key=payout_key(claim.id, 1),
        source=PayoutSource(claim_id=str(claim.id), service_job_id=str(claim.job_id),
                            contract_id=str(claim.contract_id), kind="claim_credit"),
        amount=claim.payable, rail=Rail.CONCOURSE,
        payee=Payee(kind=PayeeKind.CUSTOMER, name="Jane Doe", email=claim.payee_email,
                    mobile=None, address=None, zelle_token=None),
        memo=payout_memo(claim.id), requested_by="ss-1",
    )
