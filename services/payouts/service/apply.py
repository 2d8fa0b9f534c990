"""Apply one provider observation to a locked payout and attempt, inside the caller's unit of
work. The dispatcher, the recovery loop and the callback endpoint all end here, so the rules of
``domain.outcomes.resolve`` (through ``Payout.observe``) are the only way a provider's word
changes our state."""

from __future__ import annotations

import logging
from datetime import date, datetime

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain import outcomes
from services.payouts.domain.model import AttemptStatus, PayoutStatus, Rail
from services.payouts.domain.outcomes import (
    Effect,
    Observation,
    ObservationRules,
    Policy,
    Reading,
    contradicts,
)
from services.payouts.domain.validation import fallback_rail
from services.payouts.metrics import CONTRADICTIONS, PAID_AMOUNT, PAYOUT_STATUS, PROVIDER_ERRORS
from services.payouts.service.mapping import to_domain
from services.payouts.settings import PayoutsSettings
from shared.money import Money

log = logging.getLogger(__name__)


def next_check_at(settings: PayoutsSettings, now: datetime, checks: int) -> datetime:
    return outcomes.next_check_at(now, checks, settings.poll_interval_s,
                                  settings.poll_max_interval_s)


def mismatch(attempt: AttemptRow, amount: Money, currency: str) -> str | None:
    """Why the provider's record is not the payment we instructed, or None if it is."""
    if currency != "USD" or amount.amount != attempt.amount:
        return (
            f"provider reports {amount} {currency} for attempt {attempt.id}, "
            f"which instructed {attempt.amount} USD"
        )
    return None


_NO_POLICY = Policy()


async def policy_for(uow: PayoutsUnitOfWork, payout: PayoutRow, reading: Reading,
                     settings: PayoutsSettings, today: date) -> tuple[Policy, Rail | None]:
    """May this payout fall back (to which rail) or be reissued if the observation ends its
    attempt?"""
    if reading.observation is Observation.REJECTED:
        target = fallback_rail(to_domain(payout), reading.reason_code, settings.fallbacks)
        return Policy(fall_back=target is not None), target
    if reading.observation is Observation.STALE:
        issued = sum(1 for a in await uow.payouts.attempts(payout.id)
                     if a.rail == Rail.CHECK.value)
        first = await uow.checks.first_send_date(payout.id)
        expired = first is not None and (today - first).days >= settings.check_expiry_days
        return Policy(reissue=issued < settings.check_max_issues and not expired), None
    if reading.observation is Observation.CANCELLED:
        return Policy(reissue=payout.reissue_on_cancel), None
    return _NO_POLICY, None


def rules_for(settings: PayoutsSettings, fallback: Rail | None) -> ObservationRules:
    return ObservationRules(settings.poll_interval_s, settings.poll_max_interval_s,
                            settings.check_max_issues, settings.check_expiry_days, fallback)


async def apply_observation(
    uow: PayoutsUnitOfWork,
    payout: PayoutRow,
    attempt: AttemptRow,
    reading: Reading,
    *,
    settings: PayoutsSettings,
    now: datetime,
    actor: str,
) -> Effect:
    """Both rows must be locked by the caller (payout first). Returns what was done."""
    extra = {"payout_id": payout.id, "attempt_id": attempt.id}
    policy, fallback = await policy_for(uow, payout, reading, settings, now.date())
    rail = payout.rail  # the rail it was on: a fallback changes it
    observed = payout.observe(attempt, reading, policy, rules_for(settings, fallback),
                              actor=actor, at=now)
    uow.record(*observed.events)
    effect = observed.effect
    if effect.ignored:
        if contradicts(AttemptStatus(attempt.status), reading.observation):
            # Money the provider holds or paid on an attempt we ended unpaid (a withdrawn
            # "unsent" attempt whose 503 had in fact been taken): the payout may have been
            # paid another way since. Never silent: the operator reconciles it.
            CONTRADICTIONS.labels(payout.rail, attempt.status).inc()
            log.error("provider reports %s on an attempt ended %s (payout %s): reconcile",
                      reading.observation.value, attempt.status, payout.status, extra=extra)
            return effect
        log.info("%s ignored: attempt is %s, payout %s", reading.observation.value,
                 attempt.status, payout.status, extra=extra)
        return effect

    payout_to = effect.payout_to
    if payout_to is None:
        # The provider moved a payment whose payout can no longer follow (e.g. it is final).
        log.error("provider says %s but payout is %s; needs an operator",
                  reading.observation.value, payout.status, extra=extra)
        uow.after_commit(lambda: PROVIDER_ERRORS.labels(rail, "unexpected_outcome").inc())
        return effect
    if payout_to is PayoutStatus.RETURNED:
        log.warning("payout returned: %s", payout.status_reason, extra=extra)

    amount = float(payout.amount)  # a metric, not a ledger: float is fine here

    def after() -> None:
        PAYOUT_STATUS.labels(rail, payout_to.value).inc()
        if payout_to is PayoutStatus.PAID:
            PAID_AMOUNT.labels(rail).inc(amount)
        log.info("payout %s (%s via %s)", payout_to.value, reading.observation.value, actor,
                 extra=extra)

    uow.after_commit(after)
    return effect
