"""What a unit of work records beside its aggregates: idempotency keys of money-moving requests
and the inbox of consumed messages, both in the same transaction as the effect.

The keys are ``shared.idempotency`` over claims' own ``IdempotencyKeyRow``, refusing a reused
key with claims' ``IdempotencyKeyReused``.
"""

from __future__ import annotations

from typing import Any

from services.claims.adapters.orm import IdempotencyKeyRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.errors import IdempotencyKeyReused
from shared.db.repository import Repository
from shared.idempotency import IdempotencyKey, IdempotencyStore
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import first_delivery


def _reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was used for a different request; use a new key"
    )


_KEYS = IdempotencyStore(IdempotencyKeyRow, _reused, stamp=utcnow)


class IdempotencyKeys(Repository):
    async def replay(self, idem: IdempotencyKey) -> dict[str, Any] | None:
        """The stored response body of an earlier request with this key, or None (the key is
        now ours)."""
        return await _KEYS.replay_body(self.session, idem)

    async def remember(self, idem: IdempotencyKey, status_code: int,
                       body: dict[str, Any]) -> None:
        """Stored with the key, in the same transaction as the effect."""
        await _KEYS.remember(self.session, idem, status_code, body)


class Inbox(Repository):
    async def first_delivery(self, consumer: str, envelope: Envelope) -> bool:
        """True the first time ``consumer`` sees the message; a repeat is to be ignored."""
        return await first_delivery(self.session, consumer, envelope)
