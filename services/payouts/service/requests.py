"""Use case: take a payout request (``RequestPayoutV1``) and decide whether it may be paid."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.payouts.adapters.orm import PayoutRow
from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain.approvals import (
    ApprovalPolicy,
    approval_reasons,
    payee_fingerprint,
    payee_identity,
    payee_search_key,
)
from services.payouts.domain.model import PayoutDetails, PayoutStatus, Rail
from services.payouts.domain.transitions import PayoutFacts
from services.payouts.domain.validation import validate_for_rail
from services.payouts.metrics import PAYOUT_STATUS
from services.payouts.service.context import PRODUCER, ServiceContext
from services.payouts.service.mapping import payee_from_json, to_domain
from services.payouts.settings import PayoutsSettings
from shared.messaging.contracts import RequestPayoutV1
from shared.messaging.envelope import Envelope

log = logging.getLogger(__name__)

CONSUMER = "payouts.request_payout"


class ConflictingPayoutRequestError(Exception):
    """The payout key is taken by a payout with a different amount, rail or payee."""

    def __init__(self, payout_key: str, payout_id: uuid.UUID) -> None:
        super().__init__(
            f"payout_key {payout_key!r} already names payout {payout_id} with a different "
            "amount, rail or payee; a repeat must be identical"
        )
        self.payout_key = payout_key
        self.payout_id = payout_id


def approval_policy(settings: PayoutsSettings) -> ApprovalPolicy:
    days = settings.approval_payee_changed_days
    return ApprovalPolicy(
        threshold=settings.approval_threshold,
        first_payout=settings.approval_first_payout,
        changed_within=timedelta(days=days) if days else None,
    )


def deadline_for(command: RequestPayoutV1, settings: PayoutsSettings,
                 now: datetime) -> datetime | None:
    """Zelle to a service pro is promised within 24 hours (configurable); nothing else is."""
    if command.rail.value == Rail.ZELLE.value and command.payee.kind.value == "service_pro":
        return now + timedelta(hours=settings.zelle_sla_hours)
    return None


@dataclass(frozen=True, slots=True)
class RequestResult:
    payout_id: uuid.UUID | None
    created: bool
    status: PayoutStatus | None = None


def _same_instruction(row: PayoutRow, command: RequestPayoutV1) -> bool:
    return (
        row.amount == command.amount
        and row.currency == command.currency
        and row.rail == command.rail.value
        and row.payee == command.payee.model_dump(mode="json")
    )


async def request_payout(
    app: ServiceContext, command: RequestPayoutV1, envelope: Envelope
) -> RequestResult:
    """One transaction: inbox check, insert (once per payout key), validate, decide.

    The same request delivered twice, or sent twice under different message ids, yields one
    payout: the inbox catches the first case, the unique payout key the second.
    """
    async with app.uow(caused_by=envelope) as uow:
        if not await uow.first_delivery(CONSUMER, envelope):
            log.info("duplicate delivery ignored", extra={"message_id": envelope.message_id})
            return RequestResult(payout_id=None, created=False)
        repo = uow.payouts
        now = app.clock()
        payee = command.payee.model_dump(mode="json")
        row = await repo.insert_if_new(
            {
                "id": uuid.uuid4(),
                "payout_key": command.payout_key,
                "source": command.source.model_dump(mode="json"),
                "amount": command.amount,
                "currency": command.currency,
                "rail": command.rail.value,
                "payee": payee,
                "memo": command.memo,
                "requested_by": command.requested_by,
                "correlation_id": envelope.correlation_id,
                "status": PayoutStatus.RECEIVED.value,
                "created_at": now,
                "updated_at": now,
                "requested_rail": command.rail.value,
                "claim_id": command.source.claim_id,
                "payee_key": payee_search_key(payee_from_json(payee)),
                "deadline_at": deadline_for(command, app.settings, now),
            }
        )
        if row is None:
            existing = await repo.get_by_key(command.payout_key)
            assert existing is not None  # the conflict was on this key
            if not _same_instruction(existing, command):
                raise ConflictingPayoutRequestError(command.payout_key, existing.id)
            await uow.commit()  # the inbox row: this message is handled
            log.info("repeat request for an existing payout ignored",
                     extra={"payout_id": existing.id})
            return RequestResult(existing.id, created=False, status=PayoutStatus(existing.status))

        payout_id = row.id
        to, reason = await _decide(uow, app, row, command.source.contract_id, now)
        rail = row.rail

        def count() -> None:
            PAYOUT_STATUS.labels(rail, PayoutStatus.RECEIVED.value).inc()
            PAYOUT_STATUS.labels(rail, to.value).inc()

        uow.after_commit(count)
        if to is PayoutStatus.APPROVED:
            uow.after_commit(app.dispatch_wake.set)  # only once the payout is committed
        await uow.commit()
    level = logging.WARNING if to is PayoutStatus.FAILED else logging.INFO
    log.log(level, "payout received: %s%s", to.value, f" ({reason})" if reason else "",
            extra={"payout_id": payout_id})
    return RequestResult(payout_id, created=True, status=to)


async def _decide(uow: PayoutsUnitOfWork, app: ServiceContext, row: PayoutRow,
                  contract_id: str | None, now: datetime) -> tuple[PayoutStatus, str | None]:
    """Validate the received payout and approve it, hold it for a person, or refuse it."""
    payout = to_domain(row)
    errors = validate_for_rail(payout)
    reasons = [] if errors else await _approval_reasons(uow, app, payout, contract_id, now)
    facts = PayoutFacts(validation_errors=tuple(errors), approval_reasons=tuple(reasons))
    uow.record(*row.decide(facts, actor=PRODUCER, at=now))
    return PayoutStatus(row.status), row.status_reason


async def _approval_reasons(uow: PayoutsUnitOfWork, app: ServiceContext, payout: PayoutDetails,
                            contract_id: str | None, now: datetime) -> list[str]:
    """Remembers the payee (first sighting, details changed) and answers the rules' reasons."""
    history = await uow.payees.observe(payee_identity(payout.payee, contract_id),
                                       payee_fingerprint(payout.payee), now)
    return approval_reasons(payout, approval_policy(app.settings), history, now)
