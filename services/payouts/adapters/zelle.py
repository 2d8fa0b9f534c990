"""J.P. Morgan Zelle disbursement client (payment type ZELLE): same day, irrevocable.

A Zelle payment is never resent unless the first is confirmed rejected: the shared client's
discipline (same end-to-end id on every retry, a timeout is *unknown* and settled by status
query) is exactly that rule.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.payouts.adapters.provider_http import ProviderClient, ProviderProtocolError
from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.domain.validation import zelle_recipient
from services.payouts.service.ports import PaymentInstruction, ProviderPayment
from shared.money import Amount, Money

OBSERVATIONS = {
    "PENDING": Observation.PENDING,
    "COMPLETED": Observation.COMPLETED,
    "REJECTED": Observation.REJECTED,
}


class ZelleResource(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="ignore", populate_by_name=True)

    end_to_end_id: str
    payment_id: str | None = None
    status: str
    amount: Amount
    currency: str
    creditor: dict[str, Any] | None = None
    name_match_score: int | None = None
    reason_code: str | None = None
    status_reason: str | None = None


def to_provider_payment(resource: ZelleResource) -> ProviderPayment:
    observation = OBSERVATIONS.get(resource.status)
    if observation is None:
        raise ProviderProtocolError(f"unknown Zelle status {resource.status!r}")
    creditor = resource.creditor or {}
    reason = resource.status_reason
    if resource.name_match_score is not None and observation is Observation.COMPLETED:
        reason = f"name match score {resource.name_match_score}"
    return ProviderPayment(
        end_to_end_id=resource.end_to_end_id,
        provider_reference=resource.payment_id,
        observation=observation,
        amount=Money(resource.amount),
        payee_email=creditor.get("email") or creditor.get("mobile"),
        reason=reason,
        reason_code=resource.reason_code,
        provider_status=resource.status,
    )


class ZelleClient(ProviderClient):
    RAIL = Rail.ZELLE
    CREATE_PATH = "payments"
    STATUS_PATH = "payments/status"

    def body(self, instruction: PaymentInstruction) -> dict[str, Any]:
        token = zelle_recipient(instruction.payee) or ""
        key = "email" if "@" in token else "mobile"
        return {
            "endToEndId": instruction.end_to_end_id,
            "paymentType": "ZELLE",
            "amount": str(instruction.amount),
            "currency": instruction.amount.currency,
            "creditor": {"name": instruction.payee.name, key: token},
            "callbackUrl": self._callback_url,
            "remittanceInformation": instruction.memo,
        }

    def read(self, content: bytes) -> ProviderPayment:
        return to_provider_payment(ZelleResource.model_validate_json(content))
