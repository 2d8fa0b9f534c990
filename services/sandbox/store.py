"""Payments by end-to-end id, in the sandbox's own PostgreSQL database (``tables.payments``).

Like a bank, the sandbox forgets nothing when it restarts: a repeat of an end-to-end id after
a restart is still a status query, not a second payment, and a check's life goes on where it
stood. Every check-then-act is one transaction on the payment's row (an ``INSERT ... ON
CONFLICT`` or an ``UPDATE ... WHERE`` the state allows, or a row lock), so two requests racing
for one payment produce one change. Callers get snapshots that never change under them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .state import (
    CLAIMABLE_STATUSES,
    FINAL_STATUSES,
    SETTLED_STATUSES,
    UNCLAIMED_STATUSES,
    DuplicateEndToEndIdError,
    Payment,
    PaymentStatus,
    Rail,
    Step,
)
from .tables import payments as T

# Positive pay at a check's presentment, in the tick's transaction: False drops the step.
Screen = Callable[[AsyncConnection, Payment, Step], Awaitable[bool]]
_ROW = [c for c in T.c if c.name not in ("seq", "next_step_at")]


def _statuses(statuses: Iterable[PaymentStatus]) -> list[str]:
    return sorted(s.value for s in statuses)


def _step_json(step: Step) -> dict[str, Any]:
    return {"at": step.at.isoformat(), "status": step.status.value, "reason": step.reason,
            "method": step.method, "reason_code": step.reason_code}


def _step(raw: Mapping[str, Any]) -> Step:
    return Step(datetime.fromisoformat(raw["at"]), PaymentStatus(raw["status"]), raw["reason"],
                raw["method"], raw["reason_code"])


def _life(payment: Payment) -> dict[str, Any]:
    """The columns that change over a payment's life."""
    return {
        "status": payment.status.value, "paid_at": payment.paid_at,
        "mailed_at": payment.mailed_at, "status_reason": payment.status_reason,
        "reason_code": payment.reason_code, "method": payment.method,
        "steps": [_step_json(s) for s in payment.steps],
        "next_step_at": payment.steps[0].at if payment.steps else None,
    }


def _values(payment: Payment) -> dict[str, Any]:
    return {
        "end_to_end_id": payment.end_to_end_id, "payment_id": payment.payment_id,
        "rail": payment.rail.value, "amount": payment.amount, "currency": payment.currency,
        "payee_name": payment.payee_name, "payee_email": payment.payee_email,
        "payee_mobile": payment.payee_mobile, "payee_address": payment.payee_address,
        "callback_url": payment.callback_url, "memo": payment.memo,
        "created_at": payment.created_at, "check_number": payment.check_number,
        "lob": payment.lob, **_life(payment),
    }


def _payment(row: sa.Row[Any]) -> Payment:
    m = row._mapping
    return Payment(
        end_to_end_id=m["end_to_end_id"], payment_id=m["payment_id"], amount=m["amount"],
        currency=m["currency"], payee_name=m["payee_name"], payee_email=m["payee_email"],
        payee_mobile=m["payee_mobile"], callback_url=m["callback_url"], memo=m["memo"],
        created_at=m["created_at"], status=PaymentStatus(m["status"]), paid_at=m["paid_at"],
        status_reason=m["status_reason"], rail=Rail(m["rail"]),
        payee_address=m["payee_address"], reason_code=m["reason_code"], method=m["method"],
        check_number=m["check_number"], mailed_at=m["mailed_at"], lob=m["lob"],
        steps=[_step(s) for s in m["steps"]],
    )


class PaymentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create_or_get(self, candidate: Payment) -> tuple[Payment, bool]:
        """Record ``candidate`` (with its planned steps) unless its end-to-end id exists;
        ``True`` if it was recorded. Raises ``DuplicateEndToEndIdError`` if the id exists for
        a different instruction."""
        steps = sorted(candidate.steps, key=lambda s: s.at)
        candidate = replace(candidate, steps=steps)
        add = insert(T).values(_values(candidate)).on_conflict_do_nothing(
            index_elements=[T.c.end_to_end_id]).returning(*_ROW)
        async with self._engine.begin() as conn:
            if (row := (await conn.execute(add)).first()) is not None:
                return _payment(row), True
            existing = await self._get(conn, candidate.end_to_end_id)
        assert existing is not None  # the conflicting row is committed: it cannot vanish
        if not existing.same_instruction(candidate):
            raise DuplicateEndToEndIdError(existing)
        return existing, False

    async def get(self, end_to_end_id: str) -> Payment | None:
        async with self._engine.connect() as conn:
            return await self._get(conn, end_to_end_id)

    async def find(self, rail: Rail, *, payment_id: str | None = None,
                   check_number: int | None = None) -> Payment | None:
        """A rail's payment by the provider's own id, or a check by its number."""
        query = sa.select(*_ROW).where(T.c.rail == rail.value)
        if payment_id is not None:
            query = query.where(T.c.payment_id == payment_id)
        if check_number is not None:
            query = query.where(T.c.check_number == check_number)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query.order_by(T.c.seq).limit(1))).first()
        return None if row is None else _payment(row)

    async def checks_with_metadata(self, wanted: Mapping[str, str]) -> list[Payment]:
        """Checks whose Lob metadata holds every ``wanted`` key with its value."""
        query = sa.select(*_ROW).where(T.c.rail == Rail.CHECK.value)
        if wanted:
            query = query.where(T.c.lob["metadata"].contains(dict(wanted)))
        return await self._many(query.order_by(T.c.seq))

    async def cashed_checks(self, since: date) -> list[Payment]:
        """Checks the bank paid on or after ``since`` (UTC dates), in creation order."""
        query = sa.select(*_ROW).where(
            T.c.rail == Rail.CHECK.value, T.c.status == PaymentStatus.CASHED.value,
            T.c.paid_at >= datetime.combine(since, time(), tzinfo=UTC))
        return await self._many(query.order_by(T.c.seq))

    async def register(self, end_to_end_id: str, method: str) -> Payment | None:
        """The Concourse payee registered and chose ``method`` (ACH or Zelle); ``None`` unless
        the payment was waiting for that (a repeat, a cancelled or expired invitation)."""
        return await self._update_one(
            end_to_end_id, _statuses(UNCLAIMED_STATUSES),
            status=PaymentStatus.REGISTERED.value, method=method)

    async def complete(self, end_to_end_id: str, at: datetime) -> Payment | None:
        """Mark a claimable payment COMPLETED; ``None`` if it is gone or already final.

        Returning ``None`` for a final payment is what makes settling idempotent: a timer and a
        release racing for the same payment produce one completion and one callback.
        """
        return await self._update_one(
            end_to_end_id, _statuses(CLAIMABLE_STATUSES),
            status=PaymentStatus.COMPLETED.value, paid_at=at)

    async def complete_all_pending(self, at: datetime) -> list[Payment]:
        done = (
            sa.update(T)
            .where(T.c.rail == Rail.CONCOURSE.value,
                   T.c.status.in_(_statuses(CLAIMABLE_STATUSES)))
            .values(status=PaymentStatus.COMPLETED.value, paid_at=at, steps=[],
                    next_step_at=None, method=sa.func.coalesce(T.c.method, "ACH"))
            .returning(*T.c)
            .cte("done")
        )
        async with self._engine.begin() as conn:
            rows = (await conn.execute(sa.select(*[done.c[c.name] for c in _ROW])
                                       .order_by(done.c.seq))).all()
        return [_payment(r) for r in rows]

    async def next_due(self) -> datetime | None:
        """When the earliest step still to come is due (the partial index's first entry)."""
        async with self._engine.connect() as conn:
            due: datetime | None = await conn.scalar(sa.select(sa.func.min(T.c.next_step_at)))
        return due

    async def awaiting_settlement(self) -> list[str]:
        """Concourse payments whose payee registers on a timer (no steps): a restarted
        sandbox settles them again, as the timers of the process that died are gone."""
        query = (sa.select(T.c.end_to_end_id)
                 .where(T.c.rail == Rail.CONCOURSE.value,
                        T.c.status.in_(_statuses(UNCLAIMED_STATUSES)),
                        T.c.next_step_at.is_(None))
                 .order_by(T.c.seq))
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).scalars())

    async def plan(self, end_to_end_id: str, steps: list[Step]) -> None:
        """Replace the steps still to come of a payment (its future, not its past)."""
        steps = sorted(steps, key=lambda s: s.at)
        async with self._engine.begin() as conn:
            await conn.execute(
                sa.update(T)
                .where(T.c.end_to_end_id == end_to_end_id,
                       T.c.status.not_in(_statuses(FINAL_STATUSES)))
                .values(steps=[_step_json(s) for s in steps],
                        next_step_at=steps[0].at if steps else None))

    async def take_due_steps(self, now: datetime, screen: Screen | None = None,
                             ) -> list[Payment]:
        """Apply every step due by ``now``, in creation order; one snapshot per step applied.
        A step ``screen`` refuses is dropped unapplied (the bank returning a presented check).
        Only payments with a step due are read (the partial index on ``next_step_at``)."""
        due = (sa.select(*_ROW).where(T.c.next_step_at <= now).order_by(T.c.seq)
               .with_for_update(skip_locked=True))
        changed: list[Payment] = []
        async with self._engine.begin() as conn:
            for row in (await conn.execute(due)).all():
                payment = _payment(row)
                while payment.steps and payment.steps[0].at <= now:
                    step = payment.steps.pop(0)
                    if screen is not None and not await screen(conn, payment, step):
                        continue
                    _apply(payment, step)
                    if payment.status in FINAL_STATUSES:
                        payment.steps = []
                    changed.append(replace(payment, steps=list(payment.steps)))
                await self._save(conn, payment)
        return changed

    async def interrupt(
        self, end_to_end_id: str, allowed: frozenset[PaymentStatus], step: Step
    ) -> tuple[Payment | None, bool]:
        """Apply ``step`` now and drop the rest of the timeline, if the payment's status is in
        ``allowed``; answers the payment and whether it changed (void, stop payment)."""
        async with self._engine.begin() as conn:
            payment = await self._get(conn, end_to_end_id, lock=True)
            if payment is None:
                return None, False
            if payment.status is step.status or payment.status not in allowed:
                return payment, False  # a repeat of the same request, or too late
            payment.steps = []
            _apply(payment, step)
            await self._save(conn, payment)
            return payment, True

    async def all(self, rail: Rail | None = None) -> list[Payment]:
        query = sa.select(*_ROW).order_by(T.c.seq)
        if rail is not None:
            query = query.where(T.c.rail == rail.value)
        return await self._many(query)

    async def _many(self, query: sa.Select[Any]) -> list[Payment]:
        async with self._engine.connect() as conn:
            return [_payment(r) for r in (await conn.execute(query)).all()]

    @staticmethod
    async def _get(conn: AsyncConnection, end_to_end_id: str, *, lock: bool = False,
                   ) -> Payment | None:
        query = sa.select(*_ROW).where(T.c.end_to_end_id == end_to_end_id)
        row = (await conn.execute(query.with_for_update() if lock else query)).first()
        return None if row is None else _payment(row)

    @staticmethod
    async def _save(conn: AsyncConnection, payment: Payment) -> None:
        await conn.execute(sa.update(T).where(T.c.end_to_end_id == payment.end_to_end_id)
                           .values(_life(payment)))

    async def _update_one(self, end_to_end_id: str, statuses: list[str], **values: Any,
                          ) -> Payment | None:
        """Change a payment waiting with no steps in one of ``statuses``; ``None`` if not."""
        change = (sa.update(T)
                  .where(T.c.end_to_end_id == end_to_end_id, T.c.status.in_(statuses),
                         T.c.next_step_at.is_(None))
                  .values(**values).returning(*_ROW))
        async with self._engine.begin() as conn:
            row = (await conn.execute(change)).first()
        return None if row is None else _payment(row)


def _apply(payment: Payment, step: Step) -> None:
    payment.status = step.status
    payment.status_reason = step.reason
    payment.method = step.method or payment.method
    if step.status in SETTLED_STATUSES:
        payment.paid_at = step.at
    if step.status is PaymentStatus.MAILED:
        payment.mailed_at = step.at
    payment.reason_code = step.reason_code or payment.reason_code
