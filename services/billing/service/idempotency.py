"""Idempotency keys of portal payments and refunds (kept by ``uow.keys`` in the same
transaction as the payment), with the key the gateway sees."""

from __future__ import annotations

import hashlib

from shared import idempotency

__all__ = ["IdempotencyKey"]


class IdempotencyKey(idempotency.IdempotencyKey):
    __slots__ = ()

    @property
    def gateway_key(self) -> str:
        """The key the gateway sees: the same request always maps to the same charge, another
        request (another body under a key that failed before) to another."""
        raw = f"{self.principal}\n{self.key}\n{self.fingerprint}".encode()
        return "bill-" + hashlib.sha256(raw).hexdigest()[:40]
