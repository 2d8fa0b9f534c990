"""Idempotency keys of operator actions, kept in the payouts database in the same transaction
as the action's effect: ``shared.idempotency`` over payouts' own ``IdempotencyKeyRow`` (its
``created_at`` is the server's default), refusing a reused key with payouts'
``IdempotencyKeyReusedError``. A stored answer is replayed with its status code.
"""

from __future__ import annotations

from services.payouts.adapters.orm import IdempotencyKeyRow
from services.payouts.domain.errors import IdempotencyKeyReusedError
from shared.db.repository import Repository
from shared.idempotency import Answer, IdempotencyKey, IdempotencyStore


def _reused() -> IdempotencyKeyReusedError:
    return IdempotencyKeyReusedError(
        "this Idempotency-Key was used for a different request; use a new key"
    )


_KEYS = IdempotencyStore(IdempotencyKeyRow, _reused)


class IdempotencyRepository(Repository):
    async def replay(self, idem: IdempotencyKey) -> Answer | None:
        """The stored answer of an earlier request, or None (the key is ours now)."""
        return await _KEYS.replay(self.session, idem)

    async def remember(self, idem: IdempotencyKey, answer: Answer) -> None:
        await _KEYS.remember(self.session, idem, answer.status_code, answer.body)
