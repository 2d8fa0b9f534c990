"""Idempotency keys of portal payments and refunds, kept in the billing database in the same
transaction as the payment: ``shared.idempotency`` over billing's own ``IdempotencyKeyRow``,
refusing a reused key with billing's ``IdempotencyKeyReused``.

If a payment fails (declined, gateway down) its transaction, key included, rolls back and a
repeat runs afresh — and reaches the gateway with the same gateway key, so the gateway answers
with the first charge instead of charging again.
"""

from __future__ import annotations

import hashlib

from services.billing.adapters.orm import IdempotencyKeyRow, utcnow
from services.billing.domain.errors import IdempotencyKeyReused
from shared import idempotency

__all__ = ["IdempotencyKey", "remember", "replay"]


class IdempotencyKey(idempotency.IdempotencyKey):
    __slots__ = ()

    @property
    def gateway_key(self) -> str:
        """The key the gateway sees: the same request always maps to the same charge, another
        request (another body under a key that failed before) to another."""
        raw = f"{self.principal}\n{self.key}\n{self.fingerprint}".encode()
        return "bill-" + hashlib.sha256(raw).hexdigest()[:40]


def _reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "this Idempotency-Key was used for a different payment; use a new key"
    )


_KEYS = idempotency.IdempotencyStore(IdempotencyKeyRow, _reused, stamp=utcnow)

# replay(session, idem): the stored response body of an earlier request, or None (ours now).
replay = _KEYS.replay_body
# remember(session, idem, status_code, body): stored with the key, in the same transaction.
remember = _KEYS.remember
