"""The sandbox's own wire formats (ledger, clock, controls) and the camelCase base of its
rails' models."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared.money import Amount

from .state import SETTLED_STATUSES, Clock, Payment, PaymentStatus, Rail

# The provider's client reference: at most 16 alphanumerics (no dashes, so a UUID must be
# shortened by the caller, not by us).
END_TO_END_ID_PATTERN = r"^[A-Za-z0-9]{1,16}$"


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class LedgerEntry(CamelModel):
    rail: Rail
    end_to_end_id: str
    payment_id: str
    amount: Amount
    currency: str
    payee_name: str
    payee_email: str = Field(description="Empty when the rail pays another identifier.")
    payee_mobile: str | None = None
    payee_address: dict[str, str | None] | None = None
    status: PaymentStatus
    settled: bool = Field(description="Money reached the payee (COMPLETED or CASHED).")
    reason_code: str | None = None
    method: str | None = None
    check_number: int | None = None
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, payment: Payment) -> LedgerEntry:
        return cls(
            rail=payment.rail,
            end_to_end_id=payment.end_to_end_id,
            payment_id=payment.payment_id,
            amount=payment.amount,
            currency=payment.currency,
            payee_name=payment.payee_name,
            payee_email=payment.payee_email,
            payee_mobile=payment.payee_mobile,
            payee_address=payment.payee_address,
            status=payment.status,
            settled=payment.status in SETTLED_STATUSES,
            reason_code=payment.reason_code,
            method=payment.method,
            check_number=payment.check_number,
            created_at=payment.created_at,
            paid_at=payment.paid_at,
        )


class Ledger(BaseModel):
    payments: list[LedgerEntry]


class Status(BaseModel):
    status: str = Field(examples=["ok"])


class ClockAdvance(BaseModel):
    days: int = Field(default=0, ge=0, le=3650, examples=[15])
    hours: int = Field(default=0, ge=0, le=100_000)
    minutes: int = Field(default=0, ge=0, le=1_000_000)

    @property
    def delta(self) -> timedelta:
        return timedelta(days=self.days, hours=self.hours, minutes=self.minutes)


class ClockView(BaseModel):
    now: datetime
    offset_s: float = Field(description="How far ahead of real time the sandbox runs.")

    @classmethod
    def of(cls, clock: Clock) -> ClockView:
        return cls(now=clock.now(), offset_s=clock.offset.total_seconds())


class Released(BaseModel):
    released: list[str] = Field(description="endToEndIds settled by this call.")
