"""Idempotency keys of money-moving requests, kept in the same transaction as the effect.

The key is inserted first (``ON CONFLICT DO NOTHING``): a concurrent request with the same key
waits on that row until the first commits, then finds the stored answer and replays it. If the
first fails, its transaction (key included) rolls back and the repeat runs afresh, so only
successful answers are replayed. Keys are scoped to the caller: no one can replay another's.

Each service keeps the keys in its own database (its own ``idempotency_keys`` table and ORM
row class) and refuses a reused key with its own domain error: an ``IdempotencyStore`` is built
once per service from both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from sqlalchemy import Integer, String, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.driver import fetch_value, transaction_driver
from shared.uow import Repository


class IdempotencyKeyColumns:
    """The columns of every service's ``idempotency_keys`` table (primary key: principal, key),
    mixed into each service's mapped row; each service adds its own ``created_at``."""

    principal: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    principal: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, principal: str, key: str, operation: str, body: Any) -> Self:
        """The fingerprint covers the operation (method and what it acts on) and the canonical
        body, so the same key on another resource or with other values is refused, not
        replayed."""
        canonical = json.dumps([operation, body], sort_keys=True, separators=(",", ":"))
        return cls(principal, key, hashlib.sha256(canonical.encode()).hexdigest())


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as first given: replayed as is to a repeat with the same key."""

    status_code: int
    body: dict[str, Any]


class IdempotencyStore:
    """The keys of one service: its row class, the error a reused key raises (built with that
    service's wording) and, where the table has no server default, the clock that stamps
    ``created_at``."""

    def __init__(
        self,
        row: type[IdempotencyKeyColumns],
        reused: Callable[[], Exception],
        *,
        stamp: Callable[[], datetime] | None = None,
    ) -> None:
        self._row = row
        self._reused = reused
        self._stamp = stamp
        # Statements built once, run in plain asyncpg on the session's transaction
        # (``shared/db/driver.py``): every money-moving request runs both, and through the mapped
        # class they took the ORM's bulk paths, nearly three times the CPU.
        table = inspect(row).local_table.name
        stamped = stamp is not None
        columns = "principal, key, fingerprint" + (", created_at" if stamped else "")
        values = "$1, $2, $3" + (", $4" if stamped else "")
        self._claim_key = (f"INSERT INTO {table} ({columns}) VALUES ({values}) "  # noqa: S608
                           "ON CONFLICT DO NOTHING RETURNING key")
        self._store_answer = (f"UPDATE {table} SET status_code = $3, "  # noqa: S608
                              "body = CAST($4::text AS jsonb) WHERE principal = $1 AND key = $2")

    async def _earlier(
        self, session: AsyncSession, idem: IdempotencyKey
    ) -> IdempotencyKeyColumns | None:
        """The row of an earlier request with this key, or None (the key is now ours)."""
        values: list[Any] = [idem.principal, idem.key, idem.fingerprint]
        if self._stamp is not None:
            values.append(self._stamp())
        if await fetch_value(session, self._claim_key, *values) is not None:
            return None
        stored = await session.get(self._row, (idem.principal, idem.key))
        assert stored is not None  # committed by the request that inserted it
        return stored

    def _same_request(self, stored: IdempotencyKeyColumns, idem: IdempotencyKey) -> None:
        if stored.fingerprint != idem.fingerprint:
            raise self._reused()

    async def replay(self, session: AsyncSession, idem: IdempotencyKey) -> Answer | None:
        """The stored answer of an earlier request with this key, or None (the key is ours)."""
        stored = await self._earlier(session, idem)
        if stored is None:
            return None
        # Only finished keys are committed, so a key we did not insert has its answer.
        assert stored.body is not None and stored.status_code is not None
        self._same_request(stored, idem)
        return Answer(stored.status_code, stored.body)

    async def remember(
        self, session: AsyncSession, idem: IdempotencyKey, status_code: int, body: dict[str, Any]
    ) -> None:
        driver = await transaction_driver(session)
        # json.dumps: the serializer of the ORM's JSONB columns, which read the answer back.
        await driver.execute(self._store_answer, idem.principal, idem.key, status_code,
                             json.dumps(body))


class IdempotencyKeys(Repository):
    """A service's idempotency keys on its unit of work's session: the one repository of them,
    over the service's ``IdempotencyStore``."""

    def __init__(self, session: AsyncSession, store: IdempotencyStore) -> None:
        super().__init__(session)
        self.store = store

    async def replay(self, idem: IdempotencyKey) -> Answer | None:
        """The stored answer of an earlier request with this key, or None (the key is ours)."""
        return await self.store.replay(self.session, idem)

    async def remember(self, idem: IdempotencyKey, answer: Answer) -> None:
        """Stored with the key, in the same transaction as the effect."""
        await self.store.remember(self.session, idem, answer.status_code, answer.body)
