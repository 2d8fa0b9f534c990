"""Use cases of the check rail that no provider drives: the issuer's check numbers, the bank's
paid-items report (the only word that a check is paid), and the no-cash rule (a check not paid
``check_stale_days`` after its send date is stopped, then reissued or given up on).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, timedelta

from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain.model import AttemptStatus, Rail
from services.payouts.domain.outcomes import Observation, Reading
from services.payouts.metrics import PROVIDER_ERRORS
from services.payouts.rails.lob_checks.client import LobChecksClient
from services.payouts.rails.lob_checks.positive_pay import PaidItem
from services.payouts.service.apply import apply_observation
from services.payouts.service.context import ServiceContext
from services.payouts.service.ports import (
    CheckIssue,
    PaymentInstruction,
    ProviderPayment,
)
from services.payouts.settings import PayoutsSettings

log = logging.getLogger(__name__)

ACTOR = "checks"
# Attempts still at the printer or in the mail, i.e. a check that may yet be paid.
_OUTSTANDING = (AttemptStatus.SUBMITTED, AttemptStatus.UNKNOWN, AttemptStatus.SENDING)


async def issue_for(uow: PayoutsUnitOfWork, settings: PayoutsSettings, attempt_id: str,
                    today: date) -> CheckIssue:
    """The attempt's check number and send date: allocated once (committed with the attempt,
    before anything is printed), the same on every resend of the attempt."""
    row = await uow.checks.issue_for(
        attempt_id, account_number=settings.check_account_number,
        first_number=settings.check_first_number,
        send_date=today + timedelta(days=settings.check_send_delay_days))
    return CheckIssue(row.check_number, row.send_date)


async def with_check(uow: PayoutsUnitOfWork, settings: PayoutsSettings, rail: Rail,
                     instruction: PaymentInstruction, today: date) -> PaymentInstruction:
    if rail is not Rail.CHECK:
        return instruction
    issue = await issue_for(uow, settings, instruction.end_to_end_id, today)
    return dataclasses.replace(instruction, check=issue)


async def checks_once(app: ServiceContext) -> int:
    """Apply the bank's paid items, then stop the checks nobody cashed in time."""
    client = app.rails.get(Rail.CHECK)
    if not isinstance(client, LobChecksClient):
        return 0
    return (await apply_paid_items(app, client) + await stop_uncashed(app, client)
            + await renew_expiring_stops(app, client))


async def apply_paid_items(app: ServiceContext, client: LobChecksClient) -> int:
    since = await _oldest_outstanding_send_date(app)
    if since is None:
        return 0
    items = await client.paid_items(since)
    if items is None:
        return 0  # the bank did not answer: the next pass asks again
    applied = 0
    for item in items:
        applied += await _apply_paid_item(app, item)
    return applied


async def _oldest_outstanding_send_date(app: ServiceContext) -> date | None:
    async with app.uow() as uow:
        return await uow.checks.oldest_send_date(_OUTSTANDING)


async def _apply_paid_item(app: ServiceContext, item: PaidItem) -> int:
    """One paid item: the payout of that check number is paid, if the amount is the one we
    issued. An unknown number or another amount is an exception an operator must look at (a
    forged or altered check the bank paid anyway), never a payment."""
    extra = {"check_number": item.check_number}
    async with app.uow() as uow:
        issue = await uow.checks.by_number(item.account_number, item.check_number)
        if issue is None:
            PROVIDER_ERRORS.labels(Rail.CHECK.value, "paid_item_unknown").inc()
            log.error("bank paid check %s that we never issued: exception for an operator",
                      item.check_number, extra=extra)
            return 0
        locked = await uow.payouts.lock_pair(issue.attempt_id)
        if locked is None:
            return 0
        payout, attempt = locked
        if item.amount.amount != attempt.amount:
            PROVIDER_ERRORS.labels(Rail.CHECK.value, "paid_item_amount_mismatch").inc()
            log.error("bank paid check %s for %s, issued for %s: exception for an operator",
                      item.check_number, item.amount.amount, attempt.amount,
                      extra={**extra, "attempt_id": attempt.id, "payout_id": payout.id})
            return 0
        reading = Reading(Observation.COMPLETED, reason=f"paid by the bank on "
                          f"{item.paid_date.isoformat()}", provider_status="paid")
        effect = await apply_observation(uow, payout, attempt, reading, settings=app.settings,
                                         now=app.clock(), actor=ACTOR)
        await uow.commit()
    return 0 if effect.ignored else 1


async def stop_uncashed(app: ServiceContext, client: LobChecksClient) -> int:
    """The no-cash rule, on the payouts clock: stop payment first, and only a stop the bank
    confirmed ends the attempt as stale (whose payout is then reissued under the cap or given
    up on): a reissue while the first check could still be paid is how one pays twice."""
    async with app.uow() as uow:
        now = await uow.synced_now(app.clock)  # an operator may have moved it
        cutoff = now.date() - timedelta(days=app.settings.check_stale_days)
        due = await uow.checks.unstopped_sent_by(cutoff, app.settings.dispatch_batch)
    stopped = 0
    for attempt_id in due:
        stopped += await _stop_one(app, client, attempt_id)
    return stopped


async def renew_expiring_stops(app: ServiceContext, client: LobChecksClient) -> int:
    """A stop payment lapses (about six months): renewed ``check_stop_renew_days`` before, on
    the payouts clock, so a stopped check never becomes payable again. A stopped check was
    reissued or given up on; letting its stop lapse is how a payee could be paid twice."""
    async with app.uow() as uow:
        now = await uow.synced_now(app.clock)
        horizon = now.date() + timedelta(days=app.settings.check_stop_renew_days)
        due = await uow.checks.stops_expiring_by(horizon, app.settings.dispatch_batch)
    renewed = 0
    for attempt_id, stop_id in due:
        expires_on = await client.renew_stop(stop_id)
        if expires_on is None:
            continue
        async with app.uow() as uow:
            issue = await uow.checks.lock(attempt_id)
            if issue is not None:
                issue.stop_renewed(expires_on)
                await uow.commit()
                renewed += 1
                log.info("stop payment %s renewed until %s", stop_id, expires_on,
                         extra={"attempt_id": attempt_id})
    return renewed


async def _stop_one(app: ServiceContext, client: LobChecksClient, attempt_id: str) -> int:
    result = await client.stop_payment(attempt_id)
    if not isinstance(result, tuple):
        log.warning("stop payment not confirmed (%s); tried again next pass", result,
                    extra={"attempt_id": attempt_id})
        return 0
    payment, stop_id, expires_on = result
    return await _record_stale(app, attempt_id, payment, stop_id, expires_on)


async def _record_stale(app: ServiceContext, attempt_id: str, payment: ProviderPayment,
                        stop_id: str, expires_on: date) -> int:
    days = app.settings.check_stale_days
    async with app.uow() as uow:
        locked = await uow.payouts.lock_pair(attempt_id)
        issue = await uow.checks.lock(attempt_id)
        if locked is None or issue is None:
            return 0
        issue.stopped(stop_id, expires_on)
        payout, attempt = locked
        reading = Reading(Observation.STALE, reason=f"not paid within {days} days of its send "
                          f"date: stop payment {stop_id} placed (expires {expires_on})",
                          provider_reference=payment.provider_reference,
                          provider_status="stopped", reason_code="STAL")
        await apply_observation(uow, payout, attempt, reading, settings=app.settings,
                                now=app.clock(), actor=ACTOR)
        await uow.commit()
    return 1
