"""J.P. Morgan Concourse client: create a payment keyed by endToEndId, query its status.

The retry, timeout and status-query discipline is ``ProviderClient``'s; this module knows only
Concourse's wire format.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.payouts.adapters.provider_http import (
    ProviderClient,
    ProviderConnectionError,
    ProviderError,
    ProviderProtocolError,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from services.payouts.domain.model import Payee, Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.service.ports import (
    PaymentInstruction,
    ProviderPayment,
    SendResult,
    StatusResult,
)
from shared.money import Amount, Money

# The names this module had before the other rails shared its client.
ConcourseError = ProviderError
ConcourseTimeoutError = ProviderTimeoutError
ConcourseConnectionError = ProviderConnectionError
ConcourseUnavailableError = ProviderUnavailableError
ConcourseRateLimitedError = ProviderRateLimitedError
ConcourseProtocolError = ProviderProtocolError

OBSERVATIONS = {
    "PENDING": Observation.PENDING,
    "COMPLETED": Observation.COMPLETED,
    "REJECTED": Observation.REJECTED,
    "RETURNED": Observation.RETURNED,
}


class PaymentResource(BaseModel):
    """The provider's payment record (only the fields we use; the rest is ignored)."""

    model_config = ConfigDict(alias_generator=to_camel, extra="ignore", populate_by_name=True)

    end_to_end_id: str
    payment_id: str | None = None
    status: str
    amount: Amount
    currency: str
    payee: dict[str, Any] | None = None
    status_reason: str | None = None
    reason_code: str | None = None


def to_provider_payment(resource: PaymentResource) -> ProviderPayment:
    observation = OBSERVATIONS.get(resource.status)
    if observation is None:
        raise ProviderProtocolError(f"unknown payment status {resource.status!r}")
    email = (resource.payee or {}).get("email")
    return ProviderPayment(
        end_to_end_id=resource.end_to_end_id,
        provider_reference=resource.payment_id,
        observation=observation,
        amount=Money(resource.amount),
        payee_email=str(email) if email else None,
        reason=resource.status_reason,
        reason_code=resource.reason_code,
        provider_status=resource.status,
    )


class ConcourseClient(ProviderClient):
    RAIL = Rail.CONCOURSE
    CREATE_PATH = "payments"
    STATUS_PATH = "payments/status"

    def body(self, instruction: PaymentInstruction) -> dict[str, Any]:
        payee = instruction.payee
        return {
            "endToEndId": instruction.end_to_end_id,
            "amount": str(instruction.amount),
            "currency": instruction.amount.currency,
            "payee": {"name": payee.name, "email": payee.email, "mobile": payee.mobile},
            "callbackUrl": self._callback_url,
            "memo": instruction.memo,
        }

    def read(self, content: bytes) -> ProviderPayment:
        return to_provider_payment(PaymentResource.model_validate_json(content))

    async def create_payment(
        self,
        end_to_end_id: str,
        amount: Money,
        payee: Payee,
        callback_url: str | None,
        memo: str | None,
    ) -> SendResult:
        instruction = PaymentInstruction(end_to_end_id, amount, payee, memo)
        body = self.body(instruction)
        body["callbackUrl"] = callback_url
        return await self._create(end_to_end_id, body)

    async def payment_status(self, end_to_end_id: str) -> StatusResult:
        return await self.status(end_to_end_id)
