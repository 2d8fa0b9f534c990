"""Idempotency keys of operator actions, kept in the same transaction as the action's effect.

The key is inserted first (``ON CONFLICT DO NOTHING``): a concurrent request with the same key
waits on that row until the first commits, then finds the stored response and replays it. If
the first fails, its transaction (key included) rolls back and the repeat runs afresh, so only
successful responses are replayed. Keys are scoped to the caller: no one can replay another's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payouts.adapters.orm import IdempotencyKeyRow
from services.payouts.domain.errors import IdempotencyKeyReusedError


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    principal: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, principal: str, key: str, operation: str, body: Any) -> IdempotencyKey:
        """The fingerprint covers the operation (action and payout) and the canonical body, so
        the same key on another payout or with another reason is refused, not replayed."""
        canonical = json.dumps([operation, body], sort_keys=True, separators=(",", ":"))
        return cls(principal, key, hashlib.sha256(canonical.encode()).hexdigest())


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as first given: replayed as is to a repeat with the same key."""

    status_code: int
    body: dict[str, Any]


# Statements built once, their values bound at execution.
_CLAIM_KEY = insert(IdempotencyKeyRow).on_conflict_do_nothing().returning(IdempotencyKeyRow.key)
_STORE_ANSWER = (
    update(IdempotencyKeyRow)
    .where(IdempotencyKeyRow.principal == bindparam("p_principal"),
           IdempotencyKeyRow.key == bindparam("p_key"))
    .values(status_code=bindparam("status_code"), body=bindparam("body"))
)


async def replay(session: AsyncSession, idem: IdempotencyKey) -> Answer | None:
    """The stored answer of an earlier request with this key, or None (the key is now ours)."""
    inserted = await session.execute(
        _CLAIM_KEY,
        {"principal": idem.principal, "key": idem.key, "fingerprint": idem.fingerprint},
    )
    if inserted.first() is not None:
        return None
    stored = await session.get(IdempotencyKeyRow, (idem.principal, idem.key))
    # Only finished keys are committed, so a key we did not insert has its answer.
    assert stored is not None and stored.body is not None and stored.status_code is not None
    if stored.fingerprint != idem.fingerprint:
        raise IdempotencyKeyReusedError(
            "this Idempotency-Key was used for a different request; use a new key"
        )
    return Answer(stored.status_code, stored.body)


async def remember(session: AsyncSession, idem: IdempotencyKey, answer: Answer) -> None:
    await session.execute(
        _STORE_ANSWER,
        {"p_principal": idem.principal, "p_key": idem.key, "status_code": answer.status_code,
         "body": answer.body},
    )
