"""Idempotency keys of money-moving requests (approvals, BYOP payment requests): the key a
request carries; the unit of work keeps it (``uow.keys``) in the same transaction as the effect.
"""

from __future__ import annotations

from shared.idempotency import IdempotencyKey

__all__ = ["IdempotencyKey"]
