"""Use cases of the people who run payouts: approve or reject a held payout, cancel one that has
not reached a provider (or a Concourse payment whose invitation is unclaimed), void or stop a
check (and reissue it), resend a Concourse invitation.

Each changes the payout only through the transition table, in one transaction that begins by
taking the request's idempotency key and ends by storing the answer with it: a repeat replays
the answer, a failure leaves neither the change nor the key behind. Void and stop ask the
provider (its answer is the only proof a check will not be cashed) and apply the answer like
any other observation, so a check is cancelled or reissued only once the provider confirmed it
is dead. A Concourse cancellation is the same: the bank decides whether the invitation is still
unclaimed, and the payout is cancelled once it answers CANCELLED.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.adapters.unit_of_work import PayoutsUnitOfWork
from services.payouts.domain.errors import ActionRefusedError, PayoutNotFoundError
from services.payouts.domain.model import ACTIVE_ATTEMPT_STATUSES, AttemptStatus, Rail
from services.payouts.domain.transitions import PayoutAction
from services.payouts.metrics import PAYOUT_STATUS
from services.payouts.rails.lob_checks.client import LobChecksClient
from services.payouts.service.context import ServiceContext
from services.payouts.service.ports import (
    ActionResult,
    InvitationRail,
    RevocableRail,
    Status,
    Unknown,
)
from services.payouts.service.queries import PayoutView, view_of
from services.payouts.service.recovery import apply_status_to_locked
from shared.idempotency import Answer, IdempotencyKey

log = logging.getLogger(__name__)

_IRREVOCABLE = {
    Rail.ZELLE.value: "a Zelle payment is irrevocable once sent",
    Rail.CONCOURSE.value: "a Concourse payment can be cancelled only while its invitation is "
    "unclaimed",
}


class ProviderUndecidedError(Exception):
    """The provider did not answer; the request stands and recovery polls the outcome."""


@dataclass(frozen=True, slots=True)
class Decision:
    actor: str
    reason: str


Render = Callable[[PayoutView], dict[str, Any]]
# What an action does to the payout, locked, inside the action's unit of work.
Change = Callable[[PayoutsUnitOfWork, PayoutRow], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Once:
    """The request's idempotency key, and how its answer (stored with the key) is rendered."""

    key: IdempotencyKey
    render: Render


async def _locked(uow: PayoutsUnitOfWork, payout_id: uuid.UUID) -> PayoutRow:
    payout = await uow.payouts.get(payout_id, lock=True)
    if payout is None:
        raise PayoutNotFoundError(payout_id)
    return payout


def _counted(uow: PayoutsUnitOfWork, payout: PayoutRow) -> None:
    rail, to = payout.rail, payout.status
    uow.after_commit(lambda: PAYOUT_STATUS.labels(rail, to).inc())


async def approve(app: ServiceContext, payout_id: uuid.UUID, decision: Decision,
                  once: Once) -> Answer:
    return await _once(app, payout_id, once, _decide(app, decision, PayoutAction.APPROVE))


async def reject(app: ServiceContext, payout_id: uuid.UUID, decision: Decision,
                 once: Once) -> Answer:
    return await _once(app, payout_id, once, _decide(app, decision, PayoutAction.REJECT))


async def cancel(app: ServiceContext, payout_id: uuid.UUID, decision: Decision,
                 once: Once) -> Answer:
    return await _once(app, payout_id, once, _cancel(app, decision))


async def void(app: ServiceContext, payout_id: uuid.UUID, decision: Decision,
               once: Once) -> Answer:
    return await _once(app, payout_id, once,
                       _revoke(app, decision, stop=False, reissue=False))


async def stop(app: ServiceContext, payout_id: uuid.UUID, decision: Decision, once: Once, *,
               reissue: bool) -> Answer:
    return await _once(app, payout_id, once,
                       _revoke(app, decision, stop=True, reissue=reissue))


async def resend_invitation(app: ServiceContext, payout_id: uuid.UUID, decision: Decision,
                            once: Once) -> Answer:
    return await _once(app, payout_id, once, _invitation(app, decision, resend=True))


async def _once(app: ServiceContext, payout_id: uuid.UUID, once: Once, change: Change) -> Answer:
    """The key first, then the change under the payout's lock, then the answer stored with the
    key: one transaction. A concurrent repeat waits on the key until this one commits."""
    async with app.uow() as uow:
        if (stored := await uow.keys.replay(once.key)) is not None:
            return stored
        payout = await _locked(uow, payout_id)
        await change(uow, payout)
        await uow.write_recorded()  # the answer shows the history entry the change adds
        answer = Answer(200, once.render(await view_of(uow, payout)))
        await uow.keys.remember(once.key, answer)
        await uow.commit()
    return answer


def _decide(app: ServiceContext, decision: Decision, action: PayoutAction) -> Change:
    async def change(uow: PayoutsUnitOfWork, payout: PayoutRow) -> None:
        decide = payout.approve if action is PayoutAction.APPROVE else payout.reject
        uow.record(*decide(actor=decision.actor, reason=decision.reason, at=app.clock()))
        _counted(uow, payout)
        to, payout_id = payout.status, payout.id
        uow.after_commit(lambda: log.info("payout %s by an approver", to,
                                          extra={"payout_id": payout_id}))
    return change


def _cancel(app: ServiceContext, decision: Decision) -> Change:
    """Before any attempt may exist at a provider; after that only the rail's own way out.

    An attempt that never reached the provider (``unsent``) does not stand in the way: it is
    withdrawn with the payout, so the dispatcher never sends it. The payout's lock, taken
    before this runs, is the one the dispatcher takes to send it: whichever is first wins.
    """
    async def change(uow: PayoutsUnitOfWork, payout: PayoutRow) -> None:
        repo = uow.payouts
        attempts = [await repo.get_attempt(a.id, lock=True) for a in await repo.attempts(payout.id)]
        active = [a for a in attempts if a and AttemptStatus(a.status) in ACTIVE_ATTEMPT_STATUSES]
        if active and _invited(payout, active[0]):
            # The bank holds it, but an unclaimed invitation can still be called back.
            await _invitation(app, decision, resend=False)(uow, payout)
            return
        if active:
            raise ActionRefusedError(_why_not_cancellable(payout, active[0]))
        uow.record(*payout.cancel([a for a in attempts if a is not None], actor=decision.actor,
                                  reason=decision.reason, at=app.clock()))
        _counted(uow, payout)
    return change


def _invited(payout: PayoutRow, attempt: AttemptRow) -> bool:
    """A Concourse payment the bank holds: cancelled through the bank, not here."""
    return payout.rail == Rail.CONCOURSE.value and \
        AttemptStatus(attempt.status) is AttemptStatus.SUBMITTED


def _why_not_cancellable(payout: PayoutRow, attempt: AttemptRow) -> str:
    if AttemptStatus(attempt.status) is not AttemptStatus.SUBMITTED:
        return ("the provider may hold this payout (its outcome is not known yet); it is "
                "settled by a status query first")
    return _IRREVOCABLE.get(payout.rail,
                            "a check already issued is voided (before mailing) or stopped")


def _revoke(app: ServiceContext, decision: Decision, *, stop: bool, reissue: bool) -> Change:
    """The payout stays locked while the provider answers: a callback about the check (it may
    come before the answer) waits, then finds the check dead and the wish to reissue applied.
    If the provider refuses or does not answer, the rollback forgets the wish."""
    async def change(uow: PayoutsUnitOfWork, payout: PayoutRow) -> None:
        attempt = await _check_out(uow, payout)
        payout.revoke(reissue=reissue)
        client = app.rails[Rail.CHECK]
        assert isinstance(client, RevocableRail)
        log.info("%s requested by %s", "stop payment" if stop else "void", decision.actor,
                 extra={"payout_id": payout.id, "attempt_id": attempt.id})
        result: ActionResult = await (
            _stop_recorded(uow, client, attempt.id) if stop else client.void(attempt.id))
        if isinstance(result, Unknown):
            raise ProviderUndecidedError(result.reason)
        if not isinstance(result, Status):
            raise ActionRefusedError(f"the check provider refused: {result.reason}")
        await apply_status_to_locked(app, uow, payout, attempt.id, result.payment,
                                     actor=decision.actor)
    return change


async def _stop_recorded(uow: PayoutsUnitOfWork, client: RevocableRail,
                         attempt_id: str) -> ActionResult:
    """The stop, and (for Lob's checks) its id and expiry kept on the check's issue record, so
    the checks loop renews it before it lapses, as it does the 14-day rule's stops."""
    if not isinstance(client, LobChecksClient):
        return await client.stop(attempt_id)
    result = await client.stop_mailed(attempt_id)
    if not isinstance(result, tuple):
        return result
    payment, stop_id, expires_on = result
    issue = await uow.checks.lock(attempt_id)
    if issue is not None:
        issue.stopped(stop_id, expires_on)
    return Status(payment)


def _invitation(app: ServiceContext, decision: Decision, *, resend: bool) -> Change:
    """Resend the invitation, or cancel the payment, of a Concourse payout the bank holds.
    Only the bank knows whether the payee has registered meanwhile: its refusal (10008: not
    unclaimed any more) is a 409, its silence a 503; its answer is applied like a callback
    (CANCELLED cancels the payout; the fallback rules never start a check for it)."""
    async def change(uow: PayoutsUnitOfWork, payout: PayoutRow) -> None:
        attempt = await _invitation_out(uow, payout)
        client = app.rails[Rail.CONCOURSE]
        assert isinstance(client, InvitationRail)
        action = "resend invitation" if resend else "cancel invitation"
        log.info("%s requested by %s", action, decision.actor,
                 extra={"payout_id": payout.id, "attempt_id": attempt.id})
        result = await (client.resend_invitation if resend else client.cancel)(attempt.id)
        if isinstance(result, Unknown):
            raise ProviderUndecidedError(result.reason)
        if not isinstance(result, Status):
            raise ActionRefusedError(f"the bank refused ({action}): {result.reason}")
        await apply_status_to_locked(app, uow, payout, attempt.id, result.payment,
                                     actor=decision.actor)
    return change


async def _invitation_out(uow: PayoutsUnitOfWork, payout: PayoutRow) -> AttemptRow:
    """The Concourse payment of this payout that the bank holds (submitted, not final)."""
    if payout.rail != Rail.CONCOURSE.value:
        raise ActionRefusedError("only a Concourse payout has an invitation")
    attempt = next((a for a in await uow.payouts.attempts(payout.id)
                    if AttemptStatus(a.status) in ACTIVE_ATTEMPT_STATUSES), None)
    if attempt is None:
        raise ActionRefusedError("no Concourse invitation is out for this payout")
    if AttemptStatus(attempt.status) is not AttemptStatus.SUBMITTED:
        raise ActionRefusedError("the bank may hold this payment (its outcome is not known "
                                 "yet); it is settled by a status query first")
    return attempt


async def _check_out(uow: PayoutsUnitOfWork, payout: PayoutRow) -> AttemptRow:
    """The check of this payout that is out (issued, not yet final)."""
    if payout.rail != Rail.CHECK.value:
        raise ActionRefusedError(_IRREVOCABLE.get(payout.rail, "not a check"))
    attempt = next((a for a in await uow.payouts.attempts(payout.id)
                    if AttemptStatus(a.status) in ACTIVE_ATTEMPT_STATUSES), None)
    if attempt is None:
        raise ActionRefusedError("no check is out for this payout; cancel it instead")
    return attempt
