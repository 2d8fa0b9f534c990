"""In-memory payment store and a controllable clock.

The sandbox is a dev/test stand-in, so storage is a dict in the process: a restart forgets
everything, and ``reset`` gives every test a clean provider. Nothing here knows about HTTP.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    # The sandbox never rejects yet; the value is part of the provider's contract, so adapters
    # written against the sandbox must already handle it.
    REJECTED = "REJECTED"


class Rail(StrEnum):
    CONCOURSE = "concourse"


class Clock:
    """Wall-clock time (UTC) that tests can freeze or move forward.

    Used for the business timestamps (createdAt, paidAt, occurredAt). Callback signatures use the
    real time instead: the receiver checks them against its own clock.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._frozen_at = frozen_at
        self._offset = timedelta(0)

    def now(self) -> datetime:
        base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
        return base + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def freeze(self, at: datetime | None) -> None:
        """Stop the clock at ``at`` (``None``: follow real time again); clears any offset."""
        if at is not None and at.tzinfo is None:
            raise ValueError("the clock only holds timezone-aware datetimes")
        self._frozen_at = at
        self._offset = timedelta(0)


@dataclass(slots=True)
class Payment:
    """One payment instruction as the provider recorded it."""

    end_to_end_id: str
    payment_id: str
    amount: Decimal
    currency: str
    payee_name: str
    payee_email: str
    payee_mobile: str | None
    callback_url: str | None
    memo: str | None
    created_at: datetime
    status: PaymentStatus = PaymentStatus.PENDING
    paid_at: datetime | None = None
    status_reason: str | None = None
    rail: Rail = Rail.CONCOURSE

    @staticmethod
    def new_payment_id() -> str:
        return "CNC-" + uuid.uuid4().hex[:12]

    def same_instruction(self, other: Payment) -> bool:
        """A repeat is a status query only if it asks for the same money to the same person."""
        return (
            self.amount == other.amount
            and self.currency == other.currency
            and self.payee_email.casefold() == other.payee_email.casefold()
        )


class DuplicateEndToEndIdError(Exception):
    """The end-to-end id is taken by a payment with a different amount or payee."""

    def __init__(self, existing: Payment) -> None:
        super().__init__(f"endToEndId {existing.end_to_end_id} is already used")
        self.existing = existing


class PaymentStore:
    """Payments by end-to-end id, in creation order (dicts keep insertion order).

    Callers get copies, so a snapshot handed to a response or a callback never changes under it.
    The lock keeps every check-then-act atomic: today no await happens inside, but a future one
    (say, a simulated storage latency) must not open a window for a double payment.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._payments: dict[str, Payment] = {}

    async def create_or_get(self, candidate: Payment) -> tuple[Payment, bool]:
        """Record ``candidate`` unless its end-to-end id exists; ``True`` if it was recorded.

        Raises ``DuplicateEndToEndIdError`` if the id exists for a different instruction.
        """
        async with self._lock:
            existing = self._payments.get(candidate.end_to_end_id)
            if existing is None:
                self._payments[candidate.end_to_end_id] = replace(candidate)
                return replace(candidate), True
            if not existing.same_instruction(candidate):
                raise DuplicateEndToEndIdError(replace(existing))
            return replace(existing), False

    async def get(self, end_to_end_id: str) -> Payment | None:
        async with self._lock:
            payment = self._payments.get(end_to_end_id)
            return None if payment is None else replace(payment)

    async def complete(self, end_to_end_id: str, at: datetime) -> Payment | None:
        """Mark a PENDING payment COMPLETED; ``None`` if it is gone or already final.

        Returning ``None`` for a final payment is what makes settling idempotent: a timer and a
        release racing for the same payment produce one completion and one callback.
        """
        async with self._lock:
            payment = self._payments.get(end_to_end_id)
            if payment is None or payment.status is not PaymentStatus.PENDING:
                return None
            payment.status = PaymentStatus.COMPLETED
            payment.paid_at = at
            return replace(payment)

    async def complete_all_pending(self, at: datetime) -> list[Payment]:
        async with self._lock:
            done = []
            for payment in self._payments.values():
                if payment.status is PaymentStatus.PENDING:
                    payment.status = PaymentStatus.COMPLETED
                    payment.paid_at = at
                    done.append(replace(payment))
            return done

    async def all(self, rail: Rail | None = None) -> list[Payment]:
        async with self._lock:
            return [
                replace(p) for p in self._payments.values() if rail is None or p.rail is rail
            ]

    async def clear(self) -> None:
        async with self._lock:
            self._payments.clear()
