"""The card/ACH gateway's ledger in the sandbox's own database (``tables.gateway_*``).

Like a bank, the gateway forgets nothing when the sandbox restarts: a token issued before a
restart can be charged after it, and a repeat of an Idempotency-Key still answers with what the
key made. A charge or a refund is one transaction that first inserts its key's row (``INSERT
... ON CONFLICT DO NOTHING``): a concurrent request with the same key waits for that transaction
and then finds the key, so one key makes one charge. A refund locks its charge's row (``FOR
UPDATE``) before it compares what is left, so refunds racing for one charge never exceed it.
Card and account numbers never reach this module, only their last four digits. Callers get
frozen snapshots; refusals are the ``LedgerRefusal`` exceptions, their text the problem detail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.money import CENT

from .tables import gateway_charges as C
from .tables import gateway_idempotency_keys as K
from .tables import gateway_payment_methods as M
from .tables import gateway_refunds as R

MethodType = Literal["card", "ach"]
ChargeStatus = Literal["succeeded", "declined"]
Operation = Literal["charge", "refund"]


@dataclass(frozen=True, slots=True)
class Method:
    token: str
    type: MethodType
    last4: str
    decline_reason: str | None  # every charge of a declining test number is declined with it


@dataclass(frozen=True, slots=True)
class Charge:
    id: str
    status: ChargeStatus
    amount: Decimal
    currency: str
    method: Method
    decline_reason: str | None
    refunded: Decimal
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    charge_id: str
    amount: Decimal
    created_at: datetime


class LedgerRefusal(Exception):
    """A request the ledger refused; nothing was recorded."""


class KeyReusedError(LedgerRefusal):
    def __init__(self, key: str) -> None:
        super().__init__(f"key {key} was used with a different request")


class UnknownMethodError(LedgerRefusal):
    def __init__(self, token: str) -> None:
        super().__init__(f"no payment method {token}")


class ChargeNotFoundError(LedgerRefusal):
    def __init__(self, charge_id: str) -> None:
        super().__init__(f"no charge {charge_id}")


class NotRefundableError(LedgerRefusal):
    def __init__(self, charge_id: str, status: str) -> None:
        super().__init__(f"charge {charge_id} was {status}")


class RefundExceedsChargeError(LedgerRefusal):
    def __init__(self, left: Decimal) -> None:
        super().__init__(f"{left:.2f} is left to refund")


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def _storable(text: str) -> bool:
    # PostgreSQL text cannot hold NUL (asyncpg refuses to send it): a path id with one was
    # never stored, and is not found, as it was when the ledger was in memory.
    return "\x00" not in text


def _cents(amount: Decimal) -> Decimal:
    # Numeric keeps the scale it was given; a snapshot always has exactly two places.
    return amount.quantize(CENT)


_METHOD = [M.c.token, M.c.type, M.c.last4, M.c.decline_reason.label("method_decline_reason")]
_CHARGES = sa.select(*C.c, *_METHOD).join_from(C, M, C.c.payment_method == M.c.token)


def _method(m: sa.RowMapping) -> Method:
    return Method(m["token"], m["type"], m["last4"], m["method_decline_reason"])


def _charge(row: sa.Row[Any], method: Method | None = None) -> Charge:
    m = row._mapping
    return Charge(
        id=m["id"], status=m["status"], amount=_cents(m["amount"]), currency=m["currency"],
        method=method or _method(m), decline_reason=m["decline_reason"],
        refunded=_cents(m["refunded"]), created_at=m["created_at"],
    )


def _refund(row: sa.Row[Any]) -> Refund:
    m = row._mapping
    return Refund(m["id"], m["charge_id"], _cents(m["amount"]), m["created_at"])


async def _claim(conn: AsyncConnection, operation: Operation, key: str, fingerprint: str,
                 result_id: str) -> str | None:
    """Record ``key`` as making ``result_id``; ``None`` if it is new, else the id it made
    before. Waits for a concurrent transaction holding the same key (the insert conflicts with
    its row), which is what serialises requests with one key. Raises ``KeyReusedError`` if the
    key was used with another body."""
    add = (insert(K).values(operation=operation, key=key, fingerprint=fingerprint,
                            result_id=result_id)
           .on_conflict_do_nothing(index_elements=[K.c.operation, K.c.key])
           .returning(K.c.result_id))
    if (await conn.execute(add)).first() is not None:
        return None
    seen = (await conn.execute(sa.select(K.c.fingerprint, K.c.result_id).where(
        K.c.operation == operation, K.c.key == key))).one()
    if seen.fingerprint != fingerprint:
        raise KeyReusedError(key)
    return str(seen.result_id)


class GatewayLedger:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_method(self, type_: MethodType, last4: str, decline_reason: str | None,
                         ) -> Method:
        method = Method(new_id("pm"), type_, last4, decline_reason)
        add = insert(M).values(token=method.token, type=type_, last4=last4,
                               decline_reason=decline_reason)
        async with self._engine.begin() as conn:
            await conn.execute(add)
        return method

    async def charge(self, key: str, fingerprint: str, *, token: str, amount: Decimal,
                     currency: str, admit: Callable[[], None]) -> tuple[Charge, bool]:
        """Charge the method ``token`` unless ``key`` already made a charge; ``True`` if this
        call made it. ``admit`` runs once the key is known to be new, before anything is
        charged: an exception from it (an injected outage) rolls back the key with the rest."""
        charge_id = new_id("ch")
        async with self._engine.begin() as conn:
            if (seen := await _claim(conn, "charge", key, fingerprint, charge_id)) is None:
                admit()
                method = await self._method(conn, token)
                values = {"id": charge_id, "amount": amount, "currency": currency,
                          "payment_method": token}
                return await self._charge_new(conn, method, values), True
            found = await self._get_charge(conn, seen)
        assert found is not None  # written in the key's transaction: it cannot be missing
        return found, False

    @staticmethod
    async def _method(conn: AsyncConnection, token: str) -> Method:
        row = (await conn.execute(sa.select(*_METHOD).where(M.c.token == token))).first()
        if row is None:
            raise UnknownMethodError(token)
        return _method(row._mapping)

    @staticmethod
    async def _charge_new(conn: AsyncConnection, method: Method, values: dict[str, Any],
                          ) -> Charge:
        add = insert(C).values(
            **values, status="declined" if method.decline_reason else "succeeded",
            decline_reason=method.decline_reason, refunded=Decimal("0.00"),
            created_at=datetime.now(UTC)).returning(*C.c)
        return _charge((await conn.execute(add)).one(), method)

    async def get_charge(self, charge_id: str) -> Charge | None:
        async with self._engine.connect() as conn:
            return await self._get_charge(conn, charge_id)

    async def charges(self) -> list[Charge]:
        """Every charge, oldest first."""
        async with self._engine.connect() as conn:
            rows = (await conn.execute(_CHARGES.order_by(C.c.seq))).all()
        return [_charge(r) for r in rows]

    async def refund(self, key: str, fingerprint: str, *, charge_id: str, amount: Decimal,
                     ) -> tuple[Refund, bool]:
        """Refund ``amount`` of a succeeded charge unless ``key`` already made a refund;
        ``True`` if this call made it."""
        refund_id = new_id("re")
        async with self._engine.begin() as conn:
            if (seen := await _claim(conn, "refund", key, fingerprint, refund_id)) is None:
                return await self._refund_new(conn, refund_id, charge_id, amount), True
            row = (await conn.execute(sa.select(*R.c).where(R.c.id == seen))).one()
        return _refund(row), False

    @staticmethod
    async def _refund_new(conn: AsyncConnection, refund_id: str, charge_id: str,
                          amount: Decimal) -> Refund:
        # The charge's row lock: a concurrent refund of it waits here, then reads what this
        # one left (READ COMMITTED re-reads a locked row once its locker commits).
        locked = (sa.select(C.c.status, C.c.amount, C.c.refunded).where(C.c.id == charge_id)
                  .with_for_update())
        found = (await conn.execute(locked)).first() if _storable(charge_id) else None
        if found is None:
            raise ChargeNotFoundError(charge_id)
        if found.status != "succeeded":
            raise NotRefundableError(charge_id, found.status)
        if found.refunded + amount > found.amount:
            raise RefundExceedsChargeError(_cents(found.amount - found.refunded))
        await conn.execute(sa.update(C).where(C.c.id == charge_id)
                           .values(refunded=C.c.refunded + amount))
        add = insert(R).values(id=refund_id, charge_id=charge_id, amount=amount,
                               created_at=datetime.now(UTC)).returning(*R.c)
        return _refund((await conn.execute(add)).one())

    @staticmethod
    async def _get_charge(conn: AsyncConnection, charge_id: str) -> Charge | None:
        if not _storable(charge_id):
            return None
        row = (await conn.execute(_CHARGES.where(C.c.id == charge_id))).first()
        return None if row is None else _charge(row)
