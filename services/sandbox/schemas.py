"""Wire formats of the Concourse stand-in: camelCase JSON like the provider's APIs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator
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


class Payee(CamelModel):
    name: str = Field(min_length=1, max_length=140, examples=["Jane Doe"])
    email: EmailStr = Field(examples=["jane.doe@example.com"])
    mobile: str | None = Field(default=None, max_length=32, examples=["+15555550100"])


class PaymentRequest(CamelModel):
    end_to_end_id: str = Field(
        pattern=END_TO_END_ID_PATTERN,
        description="Client reference, 1-16 alphanumerics. A repeat is a status query.",
        examples=["PA7Q2M9X4K1B3C5D"],
    )
    amount: Amount
    currency: Literal["USD"]
    payee: Payee
    callback_url: str | None = Field(
        default=None,
        max_length=2048,
        description="Where the signed status callback is POSTed.",
        examples=["http://127.0.0.1:8002/v1/provider-callbacks/concourse"],
    )
    memo: str | None = Field(default=None, max_length=140)

    @field_validator("callback_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        # Refused here so a bad URL is the caller's 422 now, not a silent undeliverable callback.
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("callbackUrl must be an http:// or https:// URL")
        return value


class PaymentResource(CamelModel):
    end_to_end_id: str
    payment_id: str = Field(examples=["CNC-3f9a1c2b7d4e"])
    status: PaymentStatus
    amount: Amount
    currency: str = Field(examples=["USD"])
    payee: Payee
    created_at: datetime
    paid_at: datetime | None
    status_reason: str | None

    @classmethod
    def of(cls, payment: Payment) -> PaymentResource:
        return cls(
            end_to_end_id=payment.end_to_end_id,
            payment_id=payment.payment_id,
            status=payment.status,
            amount=payment.amount,
            currency=payment.currency,
            payee=Payee(
                name=payment.payee_name, email=payment.payee_email, mobile=payment.payee_mobile
            ),
            created_at=payment.created_at,
            paid_at=payment.paid_at,
            status_reason=payment.status_reason,
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
