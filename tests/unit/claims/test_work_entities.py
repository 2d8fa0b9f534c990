"""Jobs and orders change themselves through their transition tables."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.claims.domain.errors import IllegalTransition, JobNotStale, ReasonRequired
from services.claims.domain.options import OptionAction, OptionKind, OptionStatus
from services.claims.domain.work import Channel, JobAction, JobStatus, OrderStatus
from shared.money import Money
from tests.unit.claims.fakes import T0, FakeJob, FakeOption, FakeOrder


def test_a_cancelled_job_keeps_its_reason() -> None:
    job = FakeJob(status=JobStatus.ACCEPTED)
    at = T0 + timedelta(hours=1)
    [event] = job.act(JobAction.CANCEL, actor="agent-1", reason="customer moved", at=at)
    assert (job.status, job.cancel_reason, job.status_changed_at) == (
        JobStatus.CANCELLED, "customer moved", at)
    assert (event.entity, event.entity_id, event.job_id, event.from_status, event.to_status,
            dict(event.detail)) == ("job", str(job.id), job.id, "accepted", "cancelled",
                                    {"reason": "customer moved"})


def test_a_cancel_without_a_reason_is_refused() -> None:
    job = FakeJob()
    with pytest.raises(ReasonRequired):
        job.act(JobAction.CANCEL, actor="agent-1", reason=None, at=T0)
    assert job.status is JobStatus.NEW


def test_expiry_needs_the_acceptance_window_to_have_passed() -> None:
    job = FakeJob()
    with pytest.raises(JobNotStale):
        job.act(JobAction.EXPIRE, actor="system", reason=None, at=T0 + timedelta(hours=1))
    job.act(JobAction.EXPIRE, actor="system", reason=None, at=T0 + timedelta(hours=25))
    assert job.status is JobStatus.EXPIRED


def test_the_first_visit_is_the_one_on_file() -> None:
    job = FakeJob(status=JobStatus.ACCEPTED)
    first = T0 + timedelta(hours=2)
    job.act(JobAction.RECORD_VISIT, actor="tech-1", reason=None, at=first)
    job.act(JobAction.RECORD_VISIT, actor="tech-1", reason=None, at=first + timedelta(hours=1))
    assert job.technician_out_at == first


def test_closing_an_order_is_on_its_job_timeline() -> None:
    order = FakeOrder()
    job = FakeJob()
    [event] = order.close("duplicate", job_id=job.id, actor="agent-1", at=T0)
    assert (order.status, order.closed_reason) == (OrderStatus.CLOSED, "duplicate")
    assert (event.entity, event.job_id, event.from_status, event.to_status) == (
        "order", job.id, "open", "closed")


def test_a_new_job_names_its_order_request_and_channel() -> None:
    job = FakeJob()
    order_id, request_id = uuid.uuid4(), uuid.uuid4()
    [event] = job.created(order_id=order_id, request_id=request_id, channel=Channel.PORTAL,
                          actor="cust-1", at=T0)
    assert (event.action, event.from_status, event.to_status, dict(event.detail)) == (
        "create", None, "new", {"order_id": str(order_id), "request_id": str(request_id),
                                "channel": "portal", "kind": "dispatched"})


def test_an_option_is_decided_once() -> None:
    option = FakeOption()
    option.decide(OptionAction.ACCEPT, actor="cust-1", at=T0)
    assert (option.status, option.decided_by, option.decided_at) == (
        OptionStatus.ACCEPTED, "cust-1", T0)
    with pytest.raises(IllegalTransition):
        option.decide(OptionAction.DECLINE, actor="cust-1", at=T0)
    assert option.status is OptionStatus.ACCEPTED


def test_a_dispatch_records_the_fee_it_bills() -> None:
    job = FakeJob()
    [event] = job.dispatched(trade="hvac", service_fee=Money.of("75.00"), actor="system", at=T0)
    assert (event.entity, event.action, event.from_status, event.to_status, dict(event.detail)) == (
        "job", "dispatch", None, None, {"trade": "hvac", "service_fee": "75.00"})


def test_an_order_s_options_and_acceptance_are_on_its_job_timeline() -> None:
    order = FakeOrder()
    job_id = uuid.uuid4()
    [posted] = order.options_posted([{"kind": "repair", "amount": None}], job_id=job_id,
                                    actor="agent-1", at=T0, auto_replacement=True)
    assert (posted.entity, posted.job_id, posted.action, dict(posted.detail)) == (
        "order", job_id, "post_options",
        {"auto_replacement": True, "options": [{"kind": "repair", "amount": None}]})
    [accepted] = order.option_accepted(OptionKind.CLAIM_CREDIT, [OptionKind.REPAIR],
                                       job_id=job_id, actor="cust-1", at=T0)
    assert dict(accepted.detail) == {"option": "claim_credit", "declined": ["repair"]}
