"""Apply one provider observation to a locked payout and attempt, inside the caller's unit of
work. The dispatcher, the recovery loop and the callback endpoint all end here, so the rules of
``domain.outcomes.resolve`` are the only way a provider's word changes our state."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain.model import AttemptStatus, PayoutStatus, Rail
from services.payouts.domain.outcomes import Effect, Observation, Policy, contradicts, resolve
from services.payouts.domain.transitions import PayoutAction
from services.payouts.domain.validation import fallback_rail
from services.payouts.metrics import CONTRADICTIONS, PAID_AMOUNT, PAYOUT_STATUS, PROVIDER_ERRORS
from services.payouts.service.mapping import build_event, to_domain
from services.payouts.settings import PayoutsSettings
from shared.money import Money

log = logging.getLogger(__name__)


def next_check_at(settings: PayoutsSettings, now: datetime, checks: int) -> datetime:
    """When to ask the provider again: the poll interval, doubling per check done, capped.

    A Concourse payment can stay pending for days (the payee has not registered yet); polling
    it every few seconds for that long would only load the provider.
    """
    delay = min(settings.poll_interval_s * 2 ** min(checks, 20), settings.poll_max_interval_s)
    return now + timedelta(seconds=delay)


def mismatch(attempt: AttemptRow, amount: Money, currency: str) -> str | None:
    """Why the provider's record is not the payment we instructed, or None if it is."""
    if currency != "USD" or amount.amount != attempt.amount:
        return (
            f"provider reports {amount} {currency} for attempt {attempt.id}, "
            f"which instructed {attempt.amount} USD"
        )
    return None


@dataclass(frozen=True, slots=True)
class Reading:
    """One observation with what the provider said alongside it."""

    observation: Observation
    reason: str | None = None
    provider_reference: str | None = None
    provider_status: str | None = None
    reason_code: str | None = None


async def policy_for(uow: PayoutsUnitOfWork, payout: PayoutRow, reading: Reading,
                     settings: PayoutsSettings, today: date) -> Policy:
    """May this payout fall back or be reissued if the observation ends its attempt?"""
    if reading.observation is Observation.REJECTED:
        target = fallback_rail(to_domain(payout), reading.reason_code, settings.fallbacks)
        return Policy(fall_back=target is not None)
    if reading.observation is Observation.STALE:
        issued = sum(1 for a in await uow.payouts.attempts(payout.id)
                     if a.rail == Rail.CHECK.value)
        first = await uow.checks.first_send_date(payout.id)
        expired = first is not None and (today - first).days >= settings.check_expiry_days
        return Policy(reissue=issued < settings.check_max_issues and not expired)
    if reading.observation is Observation.CANCELLED:
        return Policy(reissue=payout.reissue_on_cancel)
    return Policy()


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
    repo = uow.payouts
    effect = resolve(PayoutStatus(payout.status), AttemptStatus(attempt.status),
                     reading.observation, await policy_for(uow, payout, reading, settings,
                                                         now.date()))
    if effect.ignored or effect.attempt_to is None:
        if reading.observation is Observation.PENDING and reading.provider_status and \
                AttemptStatus(attempt.status) is AttemptStatus.SUBMITTED:
            # Still pending, but further along (a check mailed, delivered): worth showing.
            attempt.provider_status = reading.provider_status
            attempt.updated_at = now
            await repo.save_attempt(attempt)
        if contradicts(AttemptStatus(attempt.status), reading.observation):
            # Money the provider holds or paid on an attempt we ended unpaid (a withdrawn
            # "unsent" attempt whose 503 had in fact been taken): the payout may have been
            # paid another way since. Never silent: the operator reconciles it.
            CONTRADICTIONS.labels(payout.rail, attempt.status).inc()
            log.error("provider reports %s on an attempt ended %s (payout %s): reconcile",
                      reading.observation.value, attempt.status, payout.status, extra=extra)
            return effect
        log.log(logging.INFO, "%s ignored: attempt is %s, payout %s", reading.observation.value,
                attempt.status, payout.status, extra=extra)
        return effect

    attempt.status = effect.attempt_to.value
    attempt.updated_at = now
    attempt.provider_reference = reading.provider_reference or attempt.provider_reference
    attempt.provider_status = reading.provider_status or attempt.provider_status
    attempt.status_reason = reading.reason
    if effect.attempt_to in (AttemptStatus.SUBMITTED, AttemptStatus.UNKNOWN):
        attempt.lease_until = next_check_at(settings, now, attempt.checks)
    if effect.attempt_to is AttemptStatus.UNSENT:
        # The dispatcher's backoff: a provider that is down is not asked again at once.
        attempt.lease_until = next_check_at(settings, now, attempt.sends)

    rail, payout_to = payout.rail, effect.payout_to
    if payout_to is None:
        await repo.save_attempt(attempt)
        # The provider moved a payment whose payout can no longer follow (e.g. it is final).
        log.error("provider says %s but payout is %s; needs an operator",
                  reading.observation.value, payout.status, extra=extra)
        uow.after_commit(lambda: PROVIDER_ERRORS.labels(rail, "unexpected_outcome").inc())
        return effect

    reason = _reason(payout, effect, reading, settings)
    if effect.action is PayoutAction.FALL_BACK:
        target = fallback_rail(to_domain(payout), reading.reason_code, settings.fallbacks)
        assert target is not None  # the policy said there is one
        payout.rail = target.value
    if effect.action is PayoutAction.REISSUE:
        payout.reissue_on_cancel = False  # asked for once, done once
    await repo.record_status(payout, payout_to, action=effect.action.value, actor=actor,
                             now=now, reason=reason, attempt=attempt)
    if effect.emit is not None:
        uow.emit(build_event(effect.emit, payout, attempt, reason),
                 correlation_id=payout.correlation_id)
    if payout_to is PayoutStatus.RETURNED:
        log.warning("payout returned: %s", reason, extra=extra)

    amount = float(payout.amount)  # a metric, not a ledger: float is fine here

    def after() -> None:
        PAYOUT_STATUS.labels(rail, payout_to.value).inc()
        if payout_to is PayoutStatus.PAID:
            PAID_AMOUNT.labels(rail).inc(amount)
        log.log(logging.INFO, "payout %s (%s via %s)", payout_to.value,
                reading.observation.value, actor, extra=extra)

    uow.after_commit(after)
    return effect


def _reason(payout: PayoutRow, effect: Effect, reading: Reading,
            settings: PayoutsSettings) -> str | None:
    said = reading.reason or reading.reason_code
    if effect.action is PayoutAction.FALL_BACK:
        target = fallback_rail(to_domain(payout), reading.reason_code, settings.fallbacks)
        return f"{payout.rail} rejected ({said}); falling back to {target}"
    if effect.action is PayoutAction.REISSUE:
        return f"reissuing: {said}"
    if effect.action is PayoutAction.UNCLAIM:
        return (f"unclaimed: {said}; no check cashed and no more may be issued (at most "
                f"{settings.check_max_issues}, none after {settings.check_expiry_days} days): "
                "report it as unclaimed property")
    return reading.reason
