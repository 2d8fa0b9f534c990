"""The parts of Concourse's (modelled) answers and callbacks this client reads. The 202, the
status answer and the error envelopes are Global Payments' own shapes (``rails.jpm_payments.
wire``); a callback item adds what Concourse knows and Global Payments does not say: the
amount paid and the method the payee chose. Readers are tolerant; the contract tests check
what the sandbox sends strictly against docs/providers/concourse-modelled.yaml."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator

from services.payouts.rails.jpm_payments.wire import CallbackItem, _Wire
from shared.money import parse_amount
from shared.text_input import refuse_nul


class ConcourseCallbackItem(CallbackItem):
    # Echoed so the receiver's amount check applies (a Global Payments callback has none).
    payment_amount: Decimal | None = Field(default=None, alias="paymentAmount")
    payment_currency: str | None = Field(default=None, alias="paymentCurrency")
    payment_method: str | None = Field(default=None, alias="paymentMethod")  # ACH or ZELLE

    @field_validator("payment_amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal | None:
        """A JSON number, as Global Payments types ``paymentAmount``, and a valid amount: a
        string, 1e30 or 1.001 is a malformed callback (422), never a 500 on the way in."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("paymentAmount must be a JSON number")
        # Through its shortest text, so 125.1 is 125.1 and not the float's binary expansion.
        return parse_amount(Decimal(str(value)))


class ConcourseCallbackBody(_Wire):
    callbacks: list[ConcourseCallbackItem] = Field(min_length=1, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        # The bank's text is stored (attempt reasons): PostgreSQL cannot hold a NUL.
        return refuse_nul(data)
