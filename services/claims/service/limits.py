"""The contract's limits as holds: reserve on approval, consume on payment, release when the
payout is known not to have paid (failed, cancelled, returned).

Every function here runs inside the caller's unit of work with the contract row locked (lock
order: contract, claim, payout, holds), so concurrent approvals and payout events on one
contract are serialised and never read a stale total.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters import repository as repo
from services.claims.adapters.orm import ClaimRow, ContractRow, LimitHoldRow
from services.claims.adapters.orm.base import new_id, utcnow
from services.claims.domain.claim import ClaimKind
from services.claims.domain.contract import Limits
from services.claims.domain.limits import HOLD_MACHINE, Hold, HoldAction, HoldStatus, LimitBook
from services.claims.service import audit
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


async def book(session: AsyncSession, contract: ContractRow) -> LimitBook:
    rows = await repo.live_holds(session, contract.id)
    return LimitBook.of(limits_of(contract), (_hold(row) for row in rows))


def _hold(row: LimitHoldRow) -> Hold:
    return Hold(row.limit_kind, Money(row.amount), row.status)


async def reserve(
    session: AsyncSession, current: LimitBook, contract: ContractRow, claim: ClaimRow,
    payout_key: str, actor: str,
) -> list[LimitHoldRow]:
    """Hold the claim's payable against the contract's limits, or raise the limit's error.
    ``current`` is the contract's book read under the same contract row lock."""
    holds = current.reserve(Money(claim.payable),
                            claim_credit=claim.kind is ClaimKind.CLAIM_CREDIT)
    # Ids given here, not at flush: the rows go to the database with the rest of the unit of
    # work instead of in a flush of their own.
    rows = [
        LimitHoldRow(id=new_id(), contract_id=contract.id, claim_id=claim.id,
                     payout_key=payout_key, limit_kind=hold.limit, amount=hold.amount.amount,
                     status=HoldStatus.RESERVED)
        for hold in holds
    ]
    session.add_all(rows)
    for row in rows:
        audit.record(session, entity="limit_hold", entity_id=row.id, job_id=claim.job_id,
                     action="reserve", actor=actor, to_status=row.status,
                     limit=row.limit_kind.value, amount=str(Money(row.amount)),
                     claim_id=str(claim.id))
    return rows


async def settle(
    session: AsyncSession, claim: ClaimRow, action: HoldAction, actor: str, reason: str | None
) -> None:
    """Consume or release the claim's live holds (those the action applies to)."""
    for row in await repo.claim_holds(session, claim.id):
        if not HOLD_MACHINE.can(row.status, action):
            continue  # e.g. consume on a hold already consumed: a duplicate, nothing to do
        before, row.status = row.status, HOLD_MACHINE.fire(row.status, action, None)
        row.updated_at = utcnow()
        audit.record(session, entity="limit_hold", entity_id=row.id, job_id=claim.job_id,
                     action=action.value, actor=actor, from_status=before, to_status=row.status,
                     limit=row.limit_kind.value, amount=str(Money(row.amount)), reason=reason)
