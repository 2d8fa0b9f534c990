"""The contract's limits as holds: reserve on approval, consume on payment, release when the
payout is known not to have paid (failed, cancelled, returned).

Every function here runs inside the caller's unit of work with the contract row locked (lock
order: contract, claim, payout, holds), so concurrent approvals and payout events on one
contract are serialised and never read a stale total.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from services.claims.adapters.orm import ClaimRow, ContractRow
from services.claims.adapters.orm.base import new_id, utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.claim import ClaimKind
from services.claims.domain.contract import Limits
from services.claims.domain.events import Transitioned
from services.claims.domain.limits import HoldAction, LimitBook, NewHold, settle_holds
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
    return rows, [row.reserved(claim_id=claim.id, job_id=claim.job_id, actor=actor, at=at)
                  for row in rows]


async def settle(
    uow: ClaimsUnitOfWork, claim: ClaimRow, action: HoldAction, actor: str, reason: str | None
) -> None:
    """Consume or release the claim's live holds (those the action applies to)."""
    now = utcnow()
    moves, events = settle_holds(await uow.holds.lock_of_claim(claim.id), action,
                                 job_id=claim.job_id, actor=actor, at=now, reason=reason)
    if moves:
        await uow.holds.move(moves, now)
        uow.record(*events)
