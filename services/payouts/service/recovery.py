"""Use case: settle every attempt whose outcome we do not know yet, by asking the provider.

An attempt is due when its lease ran out:
- ``sending``: the worker that sent it died (or hung) before recording the answer;
- ``unknown``: the send timed out or the provider was unreachable;
- ``submitted``: no callback came in time (callbacks get lost), so we poll.
We query its status by end-to-end id and apply what the provider says. Only when the provider
answers that it never saw the id do we send again, and always with the same id: a new attempt
while the old one might exist is how payouts get paid twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from services.payouts.adapters.orm import PayoutRow
from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain.model import AttemptStatus, Rail
from services.payouts.domain.validation import zelle_recipient
from services.payouts.metrics import PROVIDER_ERRORS
from services.payouts.service.apply import apply_observation, mismatch, next_check_at
from services.payouts.service.checks import with_check
from services.payouts.service.context import ServiceContext
from services.payouts.service.dispatch import (
    Claimed,
    instruction_for,
    reading_of_payment,
    record_send_result,
    send_claimed,
)
from services.payouts.service.mapping import payee_from_json
from services.payouts.service.ports import NotFound, ProviderPayment, Status, Unknown
from shared.logging import correlation_id_var

log = logging.getLogger(__name__)

ACTOR = "recovery"


@dataclass(frozen=True, slots=True)
class Due:
    claimed: Claimed
    status: AttemptStatus

    @property
    def attempt_id(self) -> str:
        return self.claimed.instruction.end_to_end_id


async def recover_once(app: ServiceContext) -> int:
    """Check one batch of due attempts with their provider. Returns how many were checked."""
    due = await take_due_attempts(app)
    if due:
        await asyncio.gather(*(resolve_attempt(app, item) for item in due))
    return len(due)


async def take_due_attempts(app: ServiceContext) -> list[Due]:
    """Lease the due attempts to this worker (one short transaction) so that no other worker
    checks them at the same time; the lease also schedules the next check if this one fails."""
    due: list[Due] = []
    async with app.uow() as uow:
        repo = uow.payouts
        now = app.clock()
        for attempt in await repo.lock_due_attempts(now, app.settings.dispatch_batch):
            payout = await repo.get(attempt.payout_id)
            rail = Rail(attempt.rail)
            if payout is None or rail not in app.rails:
                log.error("cannot check attempt: no payout or no adapter for %s", rail,
                          extra={"attempt_id": attempt.id})
                attempt.lease(next_check_at(app.settings, now, attempt.checks), checked=False)
                continue
            status = AttemptStatus(attempt.status)
            if status is AttemptStatus.SENDING:
                attempt.lease(now + timedelta(seconds=app.settings.submit_lease_s), checked=True)
            else:
                attempt.lease(next_check_at(app.settings, now, attempt.checks + 1), checked=True)
            instruction = await with_check(uow, app.settings, rail,
                                           instruction_for(payout, attempt), now.date())
            claimed = Claimed(payout.id, rail, instruction, payout.correlation_id)
            due.append(Due(claimed, status))
        await uow.commit()
    return due


async def resolve_attempt(app: ServiceContext, due: Due) -> None:
    extra = {"payout_id": due.claimed.payout_id, "attempt_id": due.attempt_id}
    correlation_id_var.set(due.claimed.correlation_id)  # task-local: gather wraps each in a task
    try:
        result = await app.rails[due.claimed.rail].status(due.attempt_id)
        if isinstance(result, Status):
            await apply_provider_status(app, due.claimed.payout_id, due.attempt_id, result.payment)
        elif isinstance(result, NotFound):
            await _not_found(app, due)
        else:
            await _status_unknown(app, due, result)
    except Exception:
        log.exception("checking attempt failed; retried after its lease", extra=extra)


async def _not_found(app: ServiceContext, due: Due) -> None:
    extra = {"payout_id": due.claimed.payout_id, "attempt_id": due.attempt_id}
    if due.status is AttemptStatus.SUBMITTED:
        # The provider acknowledged this payment once; now denying it is a provider incident,
        # not a reason to send money again on our own.
        PROVIDER_ERRORS.labels(due.claimed.rail.value, "lost_payment").inc()
        log.error("provider no longer knows a submitted payment; needs an operator",
                  extra=extra)
        return
    log.warning("provider never received the attempt; sending it again with the same id",
                extra=extra)
    await _count_send(app, due.attempt_id)
    await send_claimed(app, due.claimed, actor=ACTOR)


async def _status_unknown(app: ServiceContext, due: Due, result: Unknown) -> None:
    if due.status is AttemptStatus.SENDING:
        # Its worker is gone and the provider cannot tell us: make the uncertainty visible.
        await record_send_result(app, due.claimed.payout_id, due.attempt_id, result,
                                 actor=ACTOR)


async def _count_send(app: ServiceContext, attempt_id: str) -> None:
    async with app.uow() as uow:
        attempt = await uow.payouts.get_attempt(attempt_id, lock=True)
        if attempt is not None:
            attempt.resent()
        await uow.commit()


async def apply_provider_status(
    app: ServiceContext, payout_id: uuid.UUID, attempt_id: str, payment: ProviderPayment,
    *, actor: str = ACTOR,
) -> None:
    async with app.uow() as uow:
        payout = await uow.payouts.get(payout_id, lock=True)
        if payout is None:
            return
        await apply_status_to_locked(app, uow, payout, attempt_id, payment, actor=actor)
        await uow.commit()


async def apply_status_to_locked(
    app: ServiceContext, uow: PayoutsUnitOfWork, payout: PayoutRow, attempt_id: str,
    payment: ProviderPayment, *, actor: str,
) -> None:
    """Inside the caller's unit of work, which holds the payout's lock (the attempt's is
    taken here: the lock order of every path)."""
    attempt = await uow.payouts.get_attempt(attempt_id, lock=True)
    if attempt is None:
        return
    amount_wrong = None if payment.amount is None else mismatch(
        attempt, payment.amount, payment.amount.currency)
    wrong = amount_wrong or _other_payee(expected_payee_id(payout), payment.payee_email)
    if wrong is not None:
        # Not the payment we instructed: applying its status could mark us paid for
        # someone else's money. Leave it for an operator; the lease spaces out re-checks.
        PROVIDER_ERRORS.labels(attempt.rail, "instruction_mismatch").inc()
        log.error("%s", wrong, extra={"payout_id": payout.id, "attempt_id": attempt_id})
        return
    await apply_observation(uow, payout, attempt, reading_of_payment(payment),
                            settings=app.settings, now=app.clock(), actor=actor)


def expected_payee_id(payout: PayoutRow) -> str | None:
    """The identifier the provider should report the payment to (None: nothing to compare)."""
    payee = payee_from_json(payout.payee)
    if payout.rail == Rail.ZELLE.value:
        return zelle_recipient(payee)
    return payee.email if payout.rail == Rail.CONCOURSE.value else None


def _other_payee(ours: str | None, theirs: str | None) -> str | None:
    if ours and theirs and ours.casefold() != theirs.casefold():
        return "provider reports the payment for another payee"
    return None
