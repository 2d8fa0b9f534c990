"""The modelled bank's records, in the sandbox's database: positive-pay issues, stop payments
and the exception items positive pay produced (see ``bank`` for the routes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .state import Payment, PaymentStatus, Rail, Step
from .tables import check_issues, exception_items, stop_payments


@dataclass(frozen=True, slots=True)
class ExceptionItem:
    """A presented check the bank returned unpaid: positive pay found no live issue record
    for it, or one for another amount."""

    check_number: int
    amount: Decimal
    presented_date: date
    reason: str


@dataclass(slots=True)
class Issue:
    amount: Decimal
    issue_date: date
    payee_name: str
    void: bool


class StopPayment(BaseModel):
    stop_id: str
    check_number: int
    amount: str
    status: str = Field(description="placed, or already_paid (the check was paid first)")
    expires_on: date


IssueKey = tuple[str, int]  # (account number, check number)
_STOP = [stop_payments.c.stop_id, stop_payments.c.check_number, stop_payments.c.amount,
         stop_payments.c.status, stop_payments.c.expires_on]


def _stop(row: sa.Row[Any]) -> StopPayment:
    return StopPayment.model_validate(dict(row._mapping))


class Bank:
    """Issue records and stops by (account, check number)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record_issues(self, records: dict[IssueKey, Issue]) -> None:
        """An issue file's lines; a later line for the same check replaces the earlier (a
        void is an issue line with the void flag)."""
        if not records:
            return
        rows = [{"account_number": account, "check_number": number, "amount": i.amount,
                 "issue_date": i.issue_date, "payee_name": i.payee_name, "void": i.void}
                for (account, number), i in records.items()]
        add = insert(check_issues).values(rows)
        add = add.on_conflict_do_update(
            index_elements=[check_issues.c.account_number, check_issues.c.check_number],
            set_={c: add.excluded[c] for c in ("amount", "issue_date", "payee_name", "void")})
        async with self._engine.begin() as conn:
            await conn.execute(add)

    async def issued(self, account_number: str) -> set[int]:
        """The check numbers with an issue record on this account."""
        query = sa.select(check_issues.c.check_number).where(
            check_issues.c.account_number == account_number)
        async with self._engine.connect() as conn:
            return set((await conn.execute(query)).scalars())

    async def stop_of(self, key: IssueKey) -> StopPayment | None:
        query = sa.select(*_STOP).where(stop_payments.c.account_number == key[0],
                                        stop_payments.c.check_number == key[1])
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _stop(row)

    async def place_stop(self, account_number: str, stop: StopPayment) -> StopPayment:
        """Record ``stop``; a stop already on the check (a race of two requests) wins."""
        add = insert(stop_payments).values(account_number=account_number, **stop.model_dump())
        async with self._engine.begin() as conn:
            await conn.execute(add.on_conflict_do_nothing())
        placed = await self.stop_of((account_number, stop.check_number))
        assert placed is not None
        return placed

    async def renew_stop(self, stop_id: str, expires_on: date) -> StopPayment | None:
        change = (sa.update(stop_payments).where(stop_payments.c.stop_id == stop_id)
                  .values(expires_on=expires_on).returning(*_STOP))
        async with self._engine.begin() as conn:
            row = (await conn.execute(change)).first()
        return None if row is None else _stop(row)

    async def exceptions(self) -> list[ExceptionItem]:
        c = exception_items.c
        query = sa.select(c.check_number, c.amount, c.presented_date, c.reason).order_by(c.id)
        async with self._engine.connect() as conn:
            return [ExceptionItem(*row) for row in (await conn.execute(query)).all()]

    async def pays(self, conn: AsyncConnection, payment: Payment, step: Step) -> bool:
        """Positive pay at presentment: a check is paid only against a live issue record of
        its number and amount; otherwise it is returned as an exception item and no money
        moves. Every other step passes. Runs in the tick's transaction (``conn``)."""
        if payment.rail is not Rail.CHECK or step.status is not PaymentStatus.CASHED:
            return True
        reason = await _refusal(conn, payment)
        if reason is None:
            return True
        await conn.execute(sa.insert(exception_items).values(
            check_number=payment.check_number or 0, amount=payment.amount,
            presented_date=step.at.date(), reason=reason))
        return False


async def _refusal(conn: AsyncConnection, payment: Payment) -> str | None:
    query = sa.select(check_issues.c.amount, check_issues.c.void).where(
        check_issues.c.check_number == (payment.check_number or 0))
    issued = (await conn.execute(query)).all()
    if not issued:
        return "not issued"
    if any(void for _, void in issued):
        return "voided"
    if all(amount != payment.amount for amount, _ in issued):
        return "amount differs from the issue record"
    return None
