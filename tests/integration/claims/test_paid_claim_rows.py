"""The rows a paid claim leaves, exactly: the claim, its payout, limit holds and review, the audit
timeline in order with its detail, the job notes and the outbox messages in order. Pinned so
that a change in how they are written (ORM or Core statements) cannot change what is written."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from services.claims.consumers.payout_events import payout_events_handler
from services.claims.domain.payout import payout_memo
from services.claims.service.context import ServiceContext
from shared.messaging.contracts import PayoutPaidV1, PayoutSubmittedV1
from tests.integration.api import ok

from .conftest import Flow
from .test_claim_credit_flow import outbox_commands, reported

Rows = list[tuple[Any, ...]]


class Names:
    """Stable names for the ids and keys a run generates, so rows compare across runs."""

    def __init__(self, customer_id: str) -> None:
        self._customer_id = customer_id
        self._names: dict[str, str] = {}

    def add(self, ident: object, name: str) -> None:
        self._names[str(ident)] = name

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, str | uuid.UUID):
            named = self._names.get(str(value), str(value))
            return named.replace(self._customer_id, "CUSTOMER")
        return value

    def row(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(self(value) for value in row)


async def _rows(claims: ServiceContext, sql: str, **params: object) -> Rows:
    async with claims.sessions() as session:
        return [tuple(row) for row in await session.execute(text(sql), params)]


async def _left_by(flow: Flow, claims: ServiceContext, claim_id: str) -> dict[str, Rows]:
    [(job_id, order_id, request_id)] = await _rows(
        claims, "SELECT j.id, o.id, o.request_id FROM claims c JOIN service_jobs j ON "
        "j.id = c.job_id JOIN service_orders o ON o.id = j.order_id WHERE c.id = :id",
        id=uuid.UUID(claim_id))
    names = Names(flow.customer_id)
    for ident, name in ((claim_id, "claim"), (job_id, "job"), (order_id, "order"),
                        (request_id, "request"), (flow.contract["id"], "contract"),
                        (payout_memo(uuid.UUID(claim_id)), "memo")):
        names.add(ident, name)
    claim = await _rows(
        claims, "SELECT status, approved_by, approved_at IS NOT NULL, payout_sequence, rail, "
        "payable FROM claims WHERE id = :id", id=uuid.UUID(claim_id))
    payouts = await _rows(
        claims, "SELECT payout_key, amount, rail, status, requested_by, payout_id, attempt_id, "
        "provider_reference, failure_reason FROM claim_payouts WHERE claim_id = :id",
        id=uuid.UUID(claim_id))
    names.add(payouts[0][0], "payout")
    holds = await _rows(
        claims, "SELECT id, limit_kind, amount, status, payout_key FROM limit_holds "
        "WHERE claim_id = :id ORDER BY limit_kind", id=uuid.UUID(claim_id))
    for hold in holds:
        names.add(hold[0], f"hold:{hold[1]}")
    reviews = await _rows(
        claims, "SELECT id, type, comment_code, status FROM job_exceptions WHERE job_id = :id",
        id=job_id)
    names.add(reviews[0][0], "review")
    audit = await _rows(
        claims, "SELECT entity, entity_id, action, actor, from_status, to_status, detail "
        "FROM audit_events WHERE job_id = :id ORDER BY id", id=job_id)
    notes = await _rows(claims, "SELECT author, text, exception_id FROM job_notes "
                        "WHERE job_id = :id ORDER BY id", id=job_id)
    outbox = await _rows(
        claims, "SELECT type, correlation_id, CAST(body AS jsonb) -> 'payload' FROM outbox "
        "WHERE correlation_id IN (:claim, :job) ORDER BY id", claim=claim_id, job=str(job_id))
    # Without the clocks: when a message was made is not what is pinned.
    messages = [(kind, corr, {key: value for key, value in payload.items()
                              if key not in ("at", "dispatched_at")})
                for kind, corr, payload in outbox]
    return {
        name: [names.row(row) for row in rows] for name, rows in (
            ("claim", claim), ("payouts", payouts), ("holds", holds), ("reviews", reviews),
            ("audit", audit), ("notes", notes), ("outbox", messages),
        )
    }


async def test_a_paid_claim_leaves_exactly_these_rows(flow: Flow, claims: ServiceContext) -> None:
    claim_id = await flow.ready_claim()
    assert ok(await flow.approve(claim_id, note="Photos checked"))["status"] == "approved"
    handle = payout_events_handler(claims)
    [command] = await outbox_commands(claims, claim_id)
    paid = reported(command, PayoutPaidV1, claim_id)
    for envelope in (reported(command, PayoutSubmittedV1, claim_id), paid, paid):
        await handle(envelope)

    left = await _left_by(flow, claims, claim_id)
    assert left["claim"] == [("paid", "ss-1", True, 1, "concourse", Decimal("250.00"))]
    assert left["payouts"] == [("payout", Decimal("250.00"), "concourse", "paid", "ss-1", "po-1",
                                "att-1", "CNC-0000000001", None)]
    assert left["holds"] == [("hold:annual_aggregate", "annual_aggregate", Decimal("250.00"),
                              "consumed", "payout")]
    assert left["reviews"] == [("review", "ss_claim_credit_review", "CCA", "complete")]
    assert left["audit"] == AUDIT
    assert left["notes"] == [("user-CUSTOMER", ACCEPTED, None), ("ss-1", "Photos checked", None)]
    assert left["outbox"] == OUTBOX


ACCEPTED = "Customer (user-CUSTOMER) declined Replacement; accepted Claim Credit of $250.00."
PAID = {"payout_id": "po-1", "payout_key": "payout", "provider_reference": "CNC-0000000001"}
HOLD = {"limit": "annual_aggregate", "amount": "250.00"}
AUDIT = [
    ("job", "job", "create", "user-CUSTOMER", None, "new",
     {"kind": "dispatched", "channel": "portal", "order_id": "order", "request_id": "request"}),
    ("job", "job", "dispatch", "system", None, None,
     {"trade": "microwave", "service_fee": "100.00"}),
    ("order", "order", "post_options", "agent-1", None, None,
     {"options": [{"kind": "replacement", "amount": None},
                  {"kind": "claim_credit", "amount": "250.00"}]}),
    ("order", "order", "accept_option", "user-CUSTOMER", None, None,
     {"option": "claim_credit", "declined": ["replacement"]}),
    ("claim", "claim", "create", "user-CUSTOMER", None, "saved",
     {"kind": "claim_credit", "gross": "250.00", "payable": "250.00", "deductible": "0.00"}),
    ("claim", "claim", "submit", "user-CUSTOMER", "saved", "under_review", {}),
    ("exception", "review", "open", "user-CUSTOMER", None, "open",
     {"type": "ss_claim_credit_review", "claim_id": "claim", "comment_code": "CCA"}),
    ("job", "job", "note", "user-CUSTOMER", None, None, {"text": ACCEPTED}),
    ("claim", "claim", "select_payment", "user-CUSTOMER", None, None,
     {"rail": "concourse", "email": "j***@homemail.net", "payee": "customer",
      "mobile": "********0123", "address": "Austin, TX", "terms_version": "2026-01",
      "terms_accepted": True}),
    ("limit_hold", "hold:annual_aggregate", "reserve", "ss-1", None, "reserved",
     HOLD | {"claim_id": "claim"}),
    ("claim", "claim", "approve", "ss-1", "under_review", "approved",
     {"rail": "concourse", "amount": "250.00", "payout_key": "payout"}),
    ("job", "job", "note", "ss-1", None, None, {"text": "Photos checked"}),
    ("claim", "claim", "payout_submitted", "system", "approved", "transferred", PAID),
    ("claim", "claim", "payout_paid", "system", "transferred", "paid", PAID),
    ("limit_hold", "hold:annual_aggregate", "consume", "system", "reserved", "consumed", HOLD),
    ("exception", "review", "complete", "system", "open", "complete", {"claim_status": "paid"}),
]


def _changed(correlation: str, actor: str, action: str, entity: str, entity_id: str,
             before: str | None, after: str) -> tuple[str, str, dict[str, Any]]:
    return ("claims.state_changed", correlation, {
        "actor": actor, "action": action, "entity": entity, "reason": None,
        "entity_id": entity_id, "from_status": before, "to_status": after})


OUTBOX = [
    ("claims.service_job_dispatched", "job",
     {"trade": "microwave", "job_id": "job", "currency": "USD", "contract_id": "contract",
      "customer_id": "CUSTOMER", "service_fee": "100.00", "service_order_id": "order",
      "service_request_id": "request"}),
    _changed("job", "user-CUSTOMER", "create", "job", "job", None, "new"),
    _changed("job", "user-CUSTOMER", "create", "claim", "claim", None, "saved"),
    _changed("job", "user-CUSTOMER", "submit", "claim", "claim", "saved", "under_review"),
    _changed("job", "user-CUSTOMER", "open", "exception", "review", None, "open"),
    ("payouts.request_payout", "claim",
     {"memo": "memo", "rail": "concourse",
      "payee": {"kind": "customer", "name": "Jane Doe", "email": "jane.doe@homemail.net",
                "mobile": "+15125550123",
                "address": {"zip": "78701", "city": "Austin", "line1": "12 Elm St",
                            "line2": None, "state": "TX"},
                "zelle_token": None},
      "amount": "250.00",
      "source": {"kind": "claim_credit", "claim_id": "claim", "contract_id": "contract",
                 "service_job_id": "job"},
      "currency": "USD", "payout_key": "payout", "requested_by": "ss-1"}),
    _changed("claim", "ss-1", "approve", "claim", "claim", "under_review", "approved"),
    _changed("claim", "system", "payout_submitted", "claim", "claim", "approved", "transferred"),
    _changed("claim", "system", "payout_paid", "claim", "claim", "transferred", "paid"),
    _changed("claim", "system", "complete", "exception", "review", "open", "complete"),
]
