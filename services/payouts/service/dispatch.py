"""Use case: send approved payouts to their rail.

Three steps, never one: (1) commit a new attempt in status ``sending`` with its end-to-end id and
a lease; (2) call the provider outside any transaction; (3) record the answer in a second
transaction under the payout's row lock. A crash between (2) and (3) leaves a ``sending``
attempt whose lease runs out, and the recovery loop finds out from the provider what happened.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.adapters.repositories import NewAttempt
from services.payouts.domain.attempts import new_end_to_end_id
from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Effect, Observation, Reading
from services.payouts.service.apply import apply_observation, mismatch
from services.payouts.service.checks import with_check
from services.payouts.service.context import ServiceContext
from services.payouts.service.mapping import payee_from_json
from services.payouts.service.ports import (
    Accepted,
    NotSent,
    PaymentInstruction,
    ProviderPayment,
    Rejected,
    SendResult,
    Unknown,
)
from shared.logging import correlation_id_var
from shared.money import Money

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claimed:
    """An attempt committed as ``sending``, ready to be sent."""

    payout_id: uuid.UUID
    rail: Rail
    instruction: PaymentInstruction
    correlation_id: str | None = None


def instruction_for(payout: PayoutRow, attempt: AttemptRow) -> PaymentInstruction:
    return _instruction(attempt.id, attempt.amount, payout.payee, payout.memo, payout.id)


def _instruction(end_to_end_id: str, amount: Decimal, payee: dict[str, Any],
                 memo: str | None, payout_id: uuid.UUID) -> PaymentInstruction:
    return PaymentInstruction(end_to_end_id=end_to_end_id, amount=Money(amount),
                              payee=payee_from_json(payee), memo=memo, payout_id=str(payout_id))


async def dispatch_once(app: ServiceContext) -> int:
    """Send one batch of approved payouts. Returns how many were sent."""
    claimed = await claim_attempts(app)
    if claimed:
        await asyncio.gather(*(send_claimed(app, item) for item in claimed))
    return len(claimed)


async def claim_attempts(app: ServiceContext) -> list[Claimed]:
    """Step 1: one transaction making a ``sending`` attempt per approved payout: a new one, or
    the payout's unsent one again (same id) once its backoff has passed.

    The payouts stay locked until the commit, so a cancel waits for it and then finds the
    attempt ``sending`` (refused), or came first and the cancelled payout is not dispatchable.
    """
    claimed: list[Claimed] = []
    async with app.uow() as uow:
        repo = uow.payouts
        now = app.clock()
        lease_until = now + timedelta(seconds=app.settings.submit_lease_s)
        # Only rails with an adapter: a payout on a rail switched off since approval waits.
        rails = [rail.value for rail in app.rails]
        new: list[NewAttempt] = []
        resent: list[str] = []
        for payout in await repo.lock_dispatchable(rails, app.settings.dispatch_batch, now):
            attempt_id = payout.unsent_attempt_id or new_end_to_end_id()
            if payout.unsent_attempt_id is None:
                new.append(NewAttempt(attempt_id, payout.id, payout.rail, payout.amount))
            else:
                resent.append(attempt_id)
            claimed.append(Claimed(
                payout.id, Rail(payout.rail),
                _instruction(attempt_id, payout.amount, payout.payee, payout.memo, payout.id),
                payout.correlation_id))
        taken = await repo.resend_attempts(resent, lease_until=lease_until, now=now)
        if new:
            taken |= await repo.create_attempts(new, lease_until=lease_until, now=now)
        # A payout another dispatcher took a moment ago is not ours to send.
        claimed = [c for c in claimed if c.instruction.end_to_end_id in taken]
        # A check's number and send date are ours, committed with the attempt before printing.
        claimed = [dataclasses.replace(c, instruction=await with_check(
            uow, app.settings, c.rail, c.instruction, now.date())) for c in claimed]
        await uow.commit()  # the end-to-end id is durable before anyone calls the provider
    for item in claimed:
        log.info("attempt created", extra={"payout_id": item.payout_id,
                                           "attempt_id": item.instruction.end_to_end_id})
    return claimed


async def send_claimed(app: ServiceContext, item: Claimed, *, actor: str = "dispatcher") -> None:
    """Steps 2 and 3 for one attempt. Never raises for a provider problem: the attempt is left
    in a state the recovery loop resolves."""
    # Each item runs in its own task (gather), so this tags only this payout's log lines.
    correlation_id_var.set(item.correlation_id)
    try:
        result = await app.rails[item.rail].send(item.instruction)
        await record_send_result(app, item.payout_id, item.instruction.end_to_end_id, result,
                                 actor=actor)
    except Exception:
        # The lease expires and recovery takes over; a crash here must not stop the loop.
        log.exception("sending attempt failed", extra={
            "payout_id": item.payout_id, "attempt_id": item.instruction.end_to_end_id})


def reading_of_payment(payment: ProviderPayment) -> Reading:
    return Reading(payment.observation, reason=payment.reason,
                   provider_reference=payment.provider_reference,
                   provider_status=(payment.provider_status or payment.observation.value).lower(),
                   reason_code=payment.reason_code)


def reading_of(attempt: AttemptRow, result: SendResult) -> Reading:
    if isinstance(result, Accepted):
        payment = result.payment
        wrong = None if payment.amount is None else mismatch(attempt, payment.amount,
                                                             payment.amount.currency)
        if wrong is not None:
            log.error("%s", wrong, extra={"attempt_id": attempt.id})
            return Reading(Observation.OUTCOME_UNKNOWN, reason=wrong)
        return reading_of_payment(payment)
    if isinstance(result, Rejected):
        return Reading(Observation.REJECTED, reason=f"provider refused the payment: "
                                                    f"{result.reason}",
                       reason_code=result.reason_code)
    if isinstance(result, NotSent):
        return Reading(Observation.NOT_SENT, reason=f"not sent, retried later: {result.reason}")
    assert isinstance(result, Unknown)
    return Reading(Observation.OUTCOME_UNKNOWN, reason=result.reason)


async def record_send_result(
    app: ServiceContext, payout_id: uuid.UUID, attempt_id: str, result: SendResult, *, actor: str
) -> Effect | None:
    """Step 3: one transaction, payout locked first, then the attempt."""
    async with app.uow() as uow:
        locked = await uow.payouts.lock_pair(attempt_id)
        if locked is None:
            log.error("attempt vanished", extra={"payout_id": payout_id, "attempt_id": attempt_id})
            return None
        payout, attempt = locked
        effect = await apply_observation(
            uow, payout, attempt, reading_of(attempt, result),
            settings=app.settings, now=app.clock(), actor=actor,
        )
        await uow.commit()
        return effect
