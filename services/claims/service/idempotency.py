"""Idempotency keys of money-moving requests (approvals, BYOP payment requests), kept in the
claims database in the same transaction as the effect: ``shared.idempotency`` over claims' own
``IdempotencyKeyRow``, refusing a reused key with claims' ``IdempotencyKeyReused``.
"""

from __future__ import annotations

from services.claims.adapters.orm import IdempotencyKeyRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.errors import IdempotencyKeyReused
from shared.idempotency import IdempotencyKey, IdempotencyStore

__all__ = ["IdempotencyKey", "remember", "replay"]


def _reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was used for a different request; use a new key"
    )


_KEYS = IdempotencyStore(IdempotencyKeyRow, _reused, stamp=utcnow)

# replay(session, idem): the stored response body of an earlier request, or None (ours now).
replay = _KEYS.replay_body
# remember(session, idem, status_code, body): stored with the key, in the same transaction.
remember = _KEYS.remember
