"""Wire formats of the check stand-in (camelCase, like the providers' APIs)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from shared.money import Amount

from .schemas import END_TO_END_ID_PATTERN, CamelModel
from .state import Payment, PaymentStatus

CHECK_MAX = Decimal("999999.99")


def _http_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError("callbackUrl must be an http:// or https:// URL")
    return value


class Address(CamelModel):
    line1: str = Field(min_length=1, max_length=64, examples=["12 Elm St"])
    line2: str | None = Field(default=None, max_length=64)
    city: str = Field(min_length=1, max_length=64, examples=["Springfield"])
    state: str = Field(pattern=r"^[A-Z]{2}$", examples=["IL"])
    zip: str = Field(pattern=r"^\d{5}(-\d{4})?$", examples=["62701"])


class CheckPayee(CamelModel):
    name: str = Field(min_length=1, max_length=120, examples=["Jane Doe"])
    address: Address


class CheckRequest(CamelModel):
    end_to_end_id: str = Field(pattern=END_TO_END_ID_PATTERN, examples=["CA7Q2M9X4K1B3C5D"])
    amount: Amount
    currency: Literal["USD"]
    payee: CheckPayee
    memo: str | None = Field(default=None, max_length=40)
    callback_url: str | None = Field(default=None, max_length=2048)

    _url = field_validator("callback_url")(_http_url)

    @field_validator("amount")
    @classmethod
    def _range(cls, value: Decimal) -> Decimal:
        if not Decimal("0.01") <= value <= CHECK_MAX:
            raise ValueError("a check is between 0.01 and 999999.99 USD")
        return value


class CheckResource(CamelModel):
    end_to_end_id: str
    payment_id: str = Field(examples=["CHK-3f9a1c2b7d4e"])
    check_number: int | None = Field(default=None, examples=[100231])
    status: PaymentStatus = Field(description="CREATED, MAILED, IN_TRANSIT, DELIVERED, CASHED, "
                                  "RETURNED_TO_SENDER, VOIDED or STOPPED")
    amount: Amount
    currency: str
    payee: CheckPayee
    memo: str | None
    reason_code: str | None = None
    status_reason: str | None
    created_at: datetime
    mailed_at: datetime | None
    cashed_at: datetime | None

    @classmethod
    def of(cls, payment: Payment) -> CheckResource:
        address = payment.payee_address or {}
        return cls(
            end_to_end_id=payment.end_to_end_id, payment_id=payment.payment_id,
            check_number=payment.check_number, status=payment.status, amount=payment.amount,
            currency=payment.currency,
            payee=CheckPayee(name=payment.payee_name, address=Address.model_validate(address)),
            memo=payment.memo, reason_code=payment.reason_code,
            status_reason=payment.status_reason, created_at=payment.created_at,
            mailed_at=payment.mailed_at, cashed_at=payment.paid_at,
        )
