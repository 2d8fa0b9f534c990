"""Use cases of the people who run payouts: approve or reject a held payout, cancel one that has
not reached a provider, void or stop a check (and reissue it).

Each changes the payout only through the transition table. Void and stop ask the provider (its
answer is the only proof a check will not be cashed) and apply the answer like any other
observation, so a check is cancelled or reissued only once the provider confirmed it is dead.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.adapters.repository import PayoutRepository
from services.payouts.domain.approvals import require_other_approver
from services.payouts.domain.model import ACTIVE_ATTEMPT_STATUSES, AttemptStatus, PayoutStatus, Rail
from services.payouts.domain.outcomes import PayoutEvent
from services.payouts.domain.transitions import PayoutAction, PayoutFacts, next_status
from services.payouts.metrics import PAYOUT_STATUS
from services.payouts.service.context import Deps, PayoutsUnitOfWork
from services.payouts.service.mapping import build_event
from services.payouts.service.ports import ActionResult, RevocableRail, Status, Unknown
from services.payouts.service.recovery import apply_provider_status

log = logging.getLogger(__name__)

_IRREVOCABLE = {
    Rail.ZELLE.value: "a Zelle payment is irrevocable once sent",
    Rail.CONCOURSE.value: "a Concourse payment cannot be recalled once sent; if the payee never "
    "registers, the bank mails a check",
}


class PayoutNotFoundError(Exception):
    def __init__(self, payout_id: uuid.UUID) -> None:
        super().__init__(f"no payout has id {payout_id}")


class ActionRefusedError(Exception):
    """The rail or the payout's state does not allow it (409)."""


class ProviderUndecidedError(Exception):
    """The provider did not answer; the request stands and recovery polls the outcome."""


@dataclass(frozen=True, slots=True)
class Decision:
    actor: str
    reason: str


async def _locked(uow: PayoutsUnitOfWork, payout_id: uuid.UUID) -> PayoutRow:
    payout = await PayoutRepository(uow.session).get(payout_id, lock=True)
    if payout is None:
        raise PayoutNotFoundError(payout_id)
    return payout


def _move(uow: PayoutsUnitOfWork, payout: PayoutRow, action: PayoutAction, to: PayoutStatus,
          decision: Decision, now: datetime) -> None:
    reason = f"{action.value} by {decision.actor}: {decision.reason}"
    PayoutRepository(uow.session).record_status(payout, to, action=action.value,
                                                actor=decision.actor, now=now, reason=reason)
    event = {PayoutStatus.CANCELLED: PayoutEvent.CANCELLED}.get(to)
    if event is not None:
        uow.emit(build_event(event, payout, None, reason), correlation_id=payout.correlation_id)
    rail = payout.rail
    uow.after_commit(lambda: PAYOUT_STATUS.labels(rail, to.value).inc())


async def approve(deps: Deps, payout_id: uuid.UUID, decision: Decision) -> None:
    await _decide(deps, payout_id, decision, PayoutAction.APPROVE)


async def reject(deps: Deps, payout_id: uuid.UUID, decision: Decision) -> None:
    await _decide(deps, payout_id, decision, PayoutAction.REJECT)


async def _decide(deps: Deps, payout_id: uuid.UUID, decision: Decision,
                  action: PayoutAction) -> None:
    async with deps.uow() as uow:
        payout = await _locked(uow, payout_id)
        to = next_status(PayoutStatus(payout.status), action)
        require_other_approver(payout.requested_by, decision.actor)
        payout.decided_by = decision.actor
        _move(uow, payout, action, to, decision, deps.clock())
        await uow.commit()
    log.info("payout %s by an approver", to.value, extra={"payout_id": payout_id})


async def cancel(deps: Deps, payout_id: uuid.UUID, decision: Decision) -> None:
    """Before any attempt may exist at a provider; after that only the rail's own way out."""
    async with deps.uow() as uow:
        payout = await _locked(uow, payout_id)
        active = await PayoutRepository(uow.session).has_active_attempt(payout.id)
        if active:
            raise ActionRefusedError(_IRREVOCABLE.get(
                payout.rail, "a check already issued is voided (before mailing) or stopped"))
        to = next_status(PayoutStatus(payout.status), PayoutAction.CANCEL,
                         PayoutFacts(has_active_attempt=active))
        _move(uow, payout, PayoutAction.CANCEL, to, decision, deps.clock())
        await uow.commit()


async def void(deps: Deps, payout_id: uuid.UUID, decision: Decision) -> None:
    await _revoke(deps, payout_id, decision, stop=False, reissue=False)


async def stop(deps: Deps, payout_id: uuid.UUID, decision: Decision, *, reissue: bool) -> None:
    await _revoke(deps, payout_id, decision, stop=True, reissue=reissue)


async def _revoke(deps: Deps, payout_id: uuid.UUID, decision: Decision, *, stop: bool,
                  reissue: bool) -> None:
    attempt = await _take_check_attempt(deps, payout_id, reissue=reissue)
    client = deps.rails[Rail.CHECK]
    assert isinstance(client, RevocableRail)
    log.info("%s requested by %s", "stop payment" if stop else "void", decision.actor,
             extra={"payout_id": payout_id, "attempt_id": attempt.id})
    result: ActionResult = await (client.stop if stop else client.void)(attempt.id)
    if isinstance(result, Status):
        await apply_provider_status(deps, payout_id, attempt.id, result.payment,
                                    actor=decision.actor)
        return
    await _forget_reissue(deps, payout_id)
    if isinstance(result, Unknown):
        raise ProviderUndecidedError(result.reason)
    raise ActionRefusedError(f"the check provider refused: {result.reason}")


async def _take_check_attempt(deps: Deps, payout_id: uuid.UUID, *,
                              reissue: bool) -> AttemptRow:
    """The check that is out, with the wish to reissue it once it is stopped committed first
    (the provider's callback may beat our own answer)."""
    async with deps.uow() as uow:
        payout = await _locked(uow, payout_id)
        if payout.rail != Rail.CHECK.value:
            raise ActionRefusedError(_IRREVOCABLE.get(payout.rail, "not a check"))
        attempt = next((a for a in await PayoutRepository(uow.session).attempts(payout.id)
                        if AttemptStatus(a.status) in ACTIVE_ATTEMPT_STATUSES), None)
        if attempt is None:
            raise ActionRefusedError("no check is out for this payout; cancel it instead")
        payout.reissue_on_cancel = reissue
        await uow.commit()
    return attempt


async def _forget_reissue(deps: Deps, payout_id: uuid.UUID) -> None:
    async with deps.uow() as uow:
        (await _locked(uow, payout_id)).reissue_on_cancel = False
        await uow.commit()
