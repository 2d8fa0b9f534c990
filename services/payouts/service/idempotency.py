"""Idempotency keys of operator actions, kept in the payouts database in the same transaction
as the action's effect: ``shared.idempotency`` over payouts' own ``IdempotencyKeyRow`` (its
``created_at`` is the server's default), refusing a reused key with payouts'
``IdempotencyKeyReusedError``. A stored answer is replayed with its status code.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.payouts.adapters.orm import IdempotencyKeyRow
from services.payouts.domain.errors import IdempotencyKeyReusedError
from shared.idempotency import Answer, IdempotencyKey, IdempotencyStore

__all__ = ["Answer", "IdempotencyKey", "remember", "replay"]


def _reused() -> IdempotencyKeyReusedError:
    return IdempotencyKeyReusedError(
        "this Idempotency-Key was used for a different request; use a new key"
    )


_KEYS = IdempotencyStore(IdempotencyKeyRow, _reused)

# replay(session, idem): the stored answer of an earlier request, or None (the key is ours now).
replay = _KEYS.replay


async def remember(session: AsyncSession, idem: IdempotencyKey, answer: Answer) -> None:
    await _KEYS.remember(session, idem, answer.status_code, answer.body)
