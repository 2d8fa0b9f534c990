"""Use case: apply a provider's (already signature-verified) status callback.

Callbacks come late, twice, or out of order. A repeated event id is acknowledged without effect;
any other stale event is refused by the transition rules under the payout's row lock, so the
dispatcher and a callback racing for the same payout apply each effect once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Observation, Reading
from services.payouts.metrics import CALLBACKS, PROVIDER_ERRORS
from services.payouts.service.apply import apply_observation, mismatch
from services.payouts.service.context import ServiceContext
from shared.logging import correlation_id_var
from shared.money import Money

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProviderCallback:
    rail: Rail
    event_id: str
    end_to_end_id: str
    provider_reference: str | None
    observation: Observation
    provider_status: str
    # None when the rail's callback does not carry them (J.P. Morgan's names the payment by
    # endToEndId only); then only the end-to-end id and the rail tie it to the attempt.
    amount: Money | None
    currency: str | None
    reason: str | None
    reason_code: str | None = None


class CallbackResult(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"  # stale or out of order: the payout is already past it
    DUPLICATE = "duplicate"  # this event id was applied before


class UnknownAttemptError(Exception):
    def __init__(self, end_to_end_id: str) -> None:
        super().__init__(f"no payout attempt has endToEndId {end_to_end_id}")


class CallbackMismatchError(Exception):
    """The callback's amount or currency is not what the attempt instructed."""


async def handle_callback(app: ServiceContext, callback: ProviderCallback) -> CallbackResult:
    extra = {"attempt_id": callback.end_to_end_id}
    async with app.uow() as uow:
        repo = uow.payouts
        # Lock order as everywhere: the payout, then its attempt.
        locked = await repo.lock_pair(callback.end_to_end_id)
        if locked is None or locked[1].rail != callback.rail.value:
            CALLBACKS.labels(callback.rail.value, "unknown_attempt").inc()
            raise UnknownAttemptError(callback.end_to_end_id)
        payout, attempt = locked
        extra["payout_id"] = str(payout.id)
        # Log lines of this request belong to the payout's flow (the claim), not the provider's.
        correlation_id_var.set(payout.correlation_id)
        wrong = None if callback.amount is None else mismatch(
            attempt, callback.amount, callback.currency or "")
        if wrong is not None:
            CALLBACKS.labels(callback.rail.value, "mismatch").inc()
            PROVIDER_ERRORS.labels(callback.rail.value, "instruction_mismatch").inc()
            log.error("callback refused: %s", wrong, extra=extra)
            raise CallbackMismatchError(wrong)
        first = await uow.provider_events.first(
            rail=callback.rail.value, event_id=callback.event_id, attempt_id=attempt.id,
            status=callback.provider_status,
        )
        if not first:
            CALLBACKS.labels(callback.rail.value, CallbackResult.DUPLICATE.value).inc()
            log.info("duplicate callback %s ignored", callback.event_id, extra=extra)
            return CallbackResult.DUPLICATE
        reading = Reading(callback.observation, reason=callback.reason,
                          provider_reference=callback.provider_reference,
                          provider_status=callback.provider_status.lower(),
                          reason_code=callback.reason_code)
        effect = await apply_observation(uow, payout, attempt, reading, settings=app.settings,
                                         now=app.clock(), actor=f"{callback.rail.value}-callback")
        await uow.commit()
    result = CallbackResult.IGNORED if effect.ignored else CallbackResult.APPLIED
    CALLBACKS.labels(callback.rail.value, result.value).inc()
    return result
