"""In-memory payment store and a controllable clock.

The sandbox is a dev/test stand-in, so storage is a dict in the process: a restart forgets
everything, and ``reset`` gives every test a clean provider. Nothing here knows about HTTP.

Every rail keeps its payments here, one record shape for all: what was instructed (amount,
payee), where it is (``status``) and, for rails whose life plays out over days (checks, an
unclaimed Concourse payment, a Zelle payment), the ``steps`` still to come on the sandbox clock.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any


class PaymentStatus(StrEnum):
    # Concourse and J.P. Morgan Global Payments (Zelle, ACH)
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    RETURNED = "RETURNED"
    # J.P. Morgan only (CoreStatus): not yet posted, credited (Hong Kong's last step),
    # blocked for sanctions, held until a future execution date.
    PENDING_POSTING = "PENDING_POSTING"
    COMPLETED_CREDITED = "COMPLETED_CREDITED"
    BLOCKED = "BLOCKED"
    WAREHOUSED = "WAREHOUSED"
    # Check (print and mail): created -> mailed -> in transit -> delivered -> cashed, or
    # returned to sender; voided before mailing, stopped after.
    CREATED = "CREATED"
    MAILED = "MAILED"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    CASHED = "CASHED"
    RETURNED_TO_SENDER = "RETURNED_TO_SENDER"
    VOIDED = "VOIDED"
    STOPPED = "STOPPED"
    # Concourse (modelled): the payee is emailed, registers and chooses ACH or Zelle; or the
    # invitation bounces, or expires unclaimed; or we cancel it while unclaimed.
    INVITED = "INVITED"
    REGISTERED = "REGISTERED"
    INVITATION_BOUNCED = "INVITATION_BOUNCED"
    INVITATION_EXPIRED = "INVITATION_EXPIRED"
    CANCELLED = "CANCELLED"


# Money moved (the payee has it): what "paid twice" is counted on.
SETTLED_STATUSES = frozenset({PaymentStatus.COMPLETED, PaymentStatus.COMPLETED_CREDITED,
                              PaymentStatus.CASHED})
FINAL_STATUSES = SETTLED_STATUSES | frozenset(
    {
        PaymentStatus.REJECTED,
        PaymentStatus.BLOCKED,
        PaymentStatus.RETURNED,
        PaymentStatus.RETURNED_TO_SENDER,
        PaymentStatus.VOIDED,
        PaymentStatus.STOPPED,
        PaymentStatus.INVITATION_BOUNCED,
        PaymentStatus.INVITATION_EXPIRED,
        PaymentStatus.CANCELLED,
    }
)
# A Concourse payment the payee can still claim (register and be paid).
UNCLAIMED_STATUSES = frozenset({PaymentStatus.PENDING, PaymentStatus.INVITED})
CLAIMABLE_STATUSES = UNCLAIMED_STATUSES | {PaymentStatus.REGISTERED}


class Rail(StrEnum):
    CONCOURSE = "concourse"
    ZELLE = "zelle"
    CHECK = "check"


class Clock:
    """Wall-clock time (UTC) that tests can freeze or move forward.

    Used for the business timestamps (createdAt, paidAt, occurredAt) and every step of a
    payment's timeline. Callback signatures use the real time instead: the receiver checks them
    against its own clock.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._frozen_at = frozen_at
        self._offset = timedelta(0)

    def now(self) -> datetime:
        base = self._frozen_at if self._frozen_at is not None else datetime.now(UTC)
        return base + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def freeze(self, at: datetime | None) -> None:
        """Stop the clock at ``at`` (``None``: follow real time again); clears any offset."""
        if at is not None and at.tzinfo is None:
            raise ValueError("the clock only holds timezone-aware datetimes")
        self._frozen_at = at
        self._offset = timedelta(0)


@dataclass(frozen=True, slots=True)
class Step:
    """A change the payment will go through at ``at`` (sandbox clock) unless cancelled."""

    at: datetime
    status: PaymentStatus
    reason: str | None = None
    method: str | None = None
    reason_code: str | None = None


@dataclass(slots=True)
class Payment:
    """One payment instruction as the provider recorded it."""

    end_to_end_id: str
    payment_id: str
    amount: Decimal
    currency: str
    payee_name: str
    payee_email: str  # "" when the rail pays by another identifier (mobile, address)
    payee_mobile: str | None
    callback_url: str | None
    memo: str | None
    created_at: datetime
    status: PaymentStatus = PaymentStatus.PENDING
    paid_at: datetime | None = None
    status_reason: str | None = None
    rail: Rail = Rail.CONCOURSE
    payee_address: dict[str, str | None] | None = None
    reason_code: str | None = None  # ISO 20022 reason of a rejection or return
    method: str | None = None  # how the money went: ACH, ZELLE, CHECK
    check_number: int | None = None
    mailed_at: datetime | None = None
    # Lob's view of a check: the request's fields echoed in the check object (from, to,
    # bank_account, send_date, metadata, message, use_type, memo).
    lob: dict[str, Any] | None = None
    steps: list[Step] = field(default_factory=list)

    @staticmethod
    def new_payment_id(prefix: str = "CNC") -> str:
        return f"{prefix}-" + uuid.uuid4().hex[:12]

    @staticmethod
    def new_firm_root_id() -> str:
        """J.P. Morgan's own id of a payment (``firmRootId``), a UUID in its examples."""
        return str(uuid.uuid4())

    @property
    def payee_key(self) -> str:
        """Who is paid, as this rail identifies the payee."""
        if self.payee_email:
            return self.payee_email.casefold()
        if self.payee_mobile:
            return self.payee_mobile
        address = self.payee_address or {}
        return f"{self.payee_name.casefold()}|{address.get('line1')}|{address.get('zip')}"

    def same_instruction(self, other: Payment) -> bool:
        """A repeat is a status query only if it asks for the same money to the same person."""
        return (
            self.amount == other.amount
            and self.currency == other.currency
            and self.rail is other.rail
            and self.payee_key == other.payee_key
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
        # The payments that may have steps to come, so a tick looks at those and not at every
        # payment ever made (a tick runs every few milliseconds; the store only grows).
        self._scheduled: set[str] = set()
        self._created: dict[str, int] = {}  # creation order of each payment

    async def create_or_get(self, candidate: Payment) -> tuple[Payment, bool]:
        """Record ``candidate`` unless its end-to-end id exists; ``True`` if it was recorded.

        Raises ``DuplicateEndToEndIdError`` if the id exists for a different instruction.
        """
        async with self._lock:
            existing = self._payments.get(candidate.end_to_end_id)
            if existing is None:
                self._payments[candidate.end_to_end_id] = replace(candidate)
                self._created[candidate.end_to_end_id] = len(self._created)
                if candidate.steps:
                    self._scheduled.add(candidate.end_to_end_id)
                return replace(candidate), True
            if not existing.same_instruction(candidate):
                raise DuplicateEndToEndIdError(replace(existing))
            return replace(existing), False

    async def get(self, end_to_end_id: str) -> Payment | None:
        async with self._lock:
            payment = self._payments.get(end_to_end_id)
            return None if payment is None else replace(payment)

    async def register(self, end_to_end_id: str, method: str) -> Payment | None:
        """The Concourse payee registered and chose ``method`` (ACH or Zelle); ``None`` unless
        the payment was waiting for that (a repeat, a cancelled or expired invitation)."""
        async with self._lock:
            payment = self._payments.get(end_to_end_id)
            if payment is None or payment.status not in UNCLAIMED_STATUSES or payment.steps:
                return None
            payment.status = PaymentStatus.REGISTERED
            payment.method = method
            return replace(payment)

    async def complete(self, end_to_end_id: str, at: datetime) -> Payment | None:
        """Mark a claimable payment COMPLETED; ``None`` if it is gone or already final.

        Returning ``None`` for a final payment is what makes settling idempotent: a timer and a
        release racing for the same payment produce one completion and one callback.
        """
        async with self._lock:
            payment = self._payments.get(end_to_end_id)
            if payment is None or payment.status not in CLAIMABLE_STATUSES or payment.steps:
                return None
            payment.status = PaymentStatus.COMPLETED
            payment.paid_at = at
            return replace(payment)

    async def complete_all_pending(self, at: datetime) -> list[Payment]:
        async with self._lock:
            done = []
            for payment in self._payments.values():
                if payment.status in CLAIMABLE_STATUSES and payment.rail is Rail.CONCOURSE:
                    payment.status = PaymentStatus.COMPLETED
                    payment.method = payment.method or "ACH"
                    payment.paid_at = at
                    payment.steps = []
                    done.append(replace(payment))
            return done

    async def plan(self, end_to_end_id: str, steps: list[Step]) -> None:
        """Replace the steps still to come of a payment (its future, not its past)."""
        async with self._lock:
            payment = self._payments.get(end_to_end_id)
            if payment is not None and payment.status not in FINAL_STATUSES:
                payment.steps = sorted(steps, key=lambda s: s.at)
                self._scheduled.add(end_to_end_id)

    async def take_due_steps(self, now: datetime,
                             screen: Callable[[Payment, Step], bool] | None = None,
                             ) -> list[Payment]:
        """Apply every step due by ``now``; one snapshot per step applied, in order. A step
        ``screen`` refuses is dropped unapplied (the bank returning a presented check)."""
        async with self._lock:
            changed: list[Payment] = []
            # In creation order, as when every payment was scanned.
            due = sorted((self._payments[i] for i in self._scheduled),
                         key=lambda p: self._created[p.end_to_end_id])
            for payment in due:
                while payment.steps and payment.steps[0].at <= now:
                    step = payment.steps.pop(0)
                    if screen is not None and not screen(payment, step):
                        continue
                    _apply(payment, step)
                    changed.append(replace(payment, steps=list(payment.steps)))
                    if payment.status in FINAL_STATUSES:
                        payment.steps = []
                if not payment.steps:
                    self._scheduled.discard(payment.end_to_end_id)
            return changed

    async def interrupt(
        self, end_to_end_id: str, allowed: frozenset[PaymentStatus], step: Step
    ) -> tuple[Payment | None, bool]:
        """Apply ``step`` now and drop the rest of the timeline, if the payment's status is in
        ``allowed``; answers the payment and whether it changed (void, stop payment)."""
        async with self._lock:
            payment = self._payments.get(end_to_end_id)
            if payment is None:
                return None, False
            if payment.status is step.status:
                return replace(payment), False  # a repeat of the same request
            if payment.status not in allowed:
                return replace(payment), False
            payment.steps = []
            _apply(payment, step)
            return replace(payment), True

    async def all(self, rail: Rail | None = None) -> list[Payment]:
        async with self._lock:
            return [
                replace(p) for p in self._payments.values() if rail is None or p.rail is rail
            ]

    async def clear(self) -> None:
        async with self._lock:
            self._payments.clear()
            self._scheduled.clear()
            self._created.clear()


def _apply(payment: Payment, step: Step) -> None:
    payment.status = step.status
    payment.status_reason = step.reason
    payment.method = step.method or payment.method
    if step.status in SETTLED_STATUSES:
        payment.paid_at = step.at
    if step.status is PaymentStatus.MAILED:
        payment.mailed_at = step.at
    payment.reason_code = step.reason_code or payment.reason_code
