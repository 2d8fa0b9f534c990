"""The contract's limits as holds: reserve on approval, consume on payment, release when the
payout is known not to have paid (failed, cancelled, returned).

Every function here runs inside the caller's unit of work with the contract row locked (lock
order: contract, claim, payout, holds), so concurrent approvals and payout events on one
contract are serialised and never read a stale total.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from services.claims.adapters.hold_repository import NewHold
from services.claims.adapters.orm import ClaimRow, ContractRow
from services.claims.adapters.orm.base import new_id, utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.claim import ClaimKind
from services.claims.domain.contract import Limits
from services.claims.domain.events import Transitioned, transitioned
from services.claims.domain.limits import HOLD_MACHINE, HoldAction, HoldStatus, LimitBook
from shared.money import Money


def limits_of(contract: ContractRow) -> Limits:
    return Limits(
        service_fee=Money(contract.service_fee),
        per_claim_cap=Money(contract.per_claim_cap),
        annual_aggregate=Money(contract.annual_aggregate),
        replacement_credit=None if contract.replacement_credit is None
        else Money(contract.replacement_credit),
        trade_deductibles={trade: Money(Decimal(amount))
                           for trade, amount in (contract.trade_deductibles or {}).items()},
    )


async def book(uow: ClaimsUnitOfWork, contract: ContractRow) -> LimitBook:
    return LimitBook.of(limits_of(contract), await uow.holds.live(contract.id))


def reserve(
    current: LimitBook, claim: ClaimRow, actor: str, at: datetime
) -> tuple[list[NewHold], list[Transitioned]]:
    """Hold the claim's payable against the contract's limits, or raise the limit's error.
    ``current`` is the contract's book read under the same contract row lock. The holds are
    written with the approval (``ClaimRepository.approve``), their events returned to record."""
    holds = current.reserve(Money(claim.payable),
                            claim_credit=claim.kind is ClaimKind.CLAIM_CREDIT)
    rows = [NewHold(new_id(), hold.limit, hold.amount.amount) for hold in holds]
    events = [
        transitioned(entity="limit_hold", entity_id=row.id, job_id=claim.job_id,
                     action="reserve", actor=actor, at=at, to_status=HoldStatus.RESERVED,
                     limit=row.limit.value, amount=str(Money(row.amount)),
                     claim_id=str(claim.id))
        for row in rows
    ]
    return rows, events


async def settle(
    uow: ClaimsUnitOfWork, claim: ClaimRow, action: HoldAction, actor: str, reason: str | None
) -> None:
    """Consume or release the claim's live holds (those the action applies to)."""
    now = utcnow()
    moves: list[tuple[uuid.UUID, HoldStatus]] = []
    for row in await uow.holds.lock_of_claim(claim.id):
        if not HOLD_MACHINE.can(row.status, action):
            continue  # e.g. consume on a hold already consumed: a duplicate, nothing to do
        target = HOLD_MACHINE.fire(row.status, action, None)
        moves.append((row.id, target))
        uow.record(transitioned(
            entity="limit_hold", entity_id=row.id, job_id=claim.job_id, action=action.value,
            actor=actor, at=now, from_status=row.status, to_status=target,
            limit=row.limit_kind.value, amount=str(Money(row.amount)), reason=reason))
    if moves:
        await uow.holds.move(moves, now)
