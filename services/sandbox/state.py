"""The payment record every rail shares, its statuses, and a controllable clock.

Kept in the sandbox's own database by ``store.PaymentStore``; nothing here does I/O or knows
about HTTP.

Every rail keeps its payments here, one record shape for all: what was instructed (amount,
payee), where it is (``status``) and, for rails whose life plays out over days (checks, an
unclaimed Concourse payment, a Zelle payment), the ``steps`` still to come on the sandbox clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
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

    @property
    def frozen_at(self) -> datetime | None:
        return self._frozen_at

    def restore(self, frozen_at: datetime | None, offset: timedelta) -> None:
        """Stand where a saved clock stood (the sandbox's own database keeps it)."""
        self._frozen_at = frozen_at
        self._offset = offset

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
