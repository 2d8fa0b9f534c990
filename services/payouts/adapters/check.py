"""Print-and-mail check client: issue, query, void (before mailing) and stop (after).

A check is *paid* when it is cashed; while it is created, mailed, in transit or delivered it is
pending. Returned to sender is a return; voided or stopped at our request is cancelled; stopped
by the bank because nobody cashed it in time is stale (the payout reissues or expires).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from services.payouts.adapters.provider_http import ProviderClient, ProviderProtocolError
from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.service.ports import ActionResult, PaymentInstruction, ProviderPayment
from shared.money import Amount, Money

STALE_REASON_CODE = "STAL"
OBSERVATIONS = {
    "CREATED": Observation.PENDING,
    "MAILED": Observation.PENDING,
    "IN_TRANSIT": Observation.PENDING,
    "DELIVERED": Observation.PENDING,
    "CASHED": Observation.COMPLETED,
    "RETURNED_TO_SENDER": Observation.RETURNED,
    "VOIDED": Observation.CANCELLED,
    "STOPPED": Observation.CANCELLED,
}


def observe(status: str, reason_code: str | None) -> Observation:
    observation = OBSERVATIONS.get(status)
    if observation is None:
        raise ProviderProtocolError(f"unknown check status {status!r}")
    if status == "STOPPED" and reason_code == STALE_REASON_CODE:
        return Observation.STALE
    return observation


class CheckResource(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="ignore", populate_by_name=True)

    end_to_end_id: str
    payment_id: str | None = None
    check_number: int | None = None
    status: str
    amount: Amount
    currency: str
    reason_code: str | None = None
    status_reason: str | None = None


def to_provider_payment(resource: CheckResource) -> ProviderPayment:
    reference = resource.payment_id
    if resource.check_number is not None:
        reference = f"{resource.payment_id} #{resource.check_number}"
    return ProviderPayment(
        end_to_end_id=resource.end_to_end_id,
        provider_reference=reference,
        observation=observe(resource.status, resource.reason_code),
        amount=Money(resource.amount),
        reason=resource.status_reason,
        reason_code=resource.reason_code,
        provider_status=resource.status,
    )


class CheckClient(ProviderClient):
    RAIL = Rail.CHECK
    CREATE_PATH = "checks"
    STATUS_PATH = "checks/status"

    def body(self, instruction: PaymentInstruction) -> dict[str, Any]:
        address = instruction.payee.address
        assert address is not None  # validation refuses a check without one
        return {
            "endToEndId": instruction.end_to_end_id,
            "amount": str(instruction.amount),
            "currency": instruction.amount.currency,
            "payee": {
                "name": instruction.payee.name,
                "address": {"line1": address.line1, "line2": address.line2,
                            "city": address.city, "state": address.state, "zip": address.zip},
            },
            "memo": instruction.memo,
            "callbackUrl": self._callback_url,
        }

    def read(self, content: bytes) -> ProviderPayment:
        return to_provider_payment(CheckResource.model_validate_json(content))

    async def void(self, end_to_end_id: str) -> ActionResult:
        return await self._action(f"checks/{end_to_end_id}/void", end_to_end_id)

    async def stop(self, end_to_end_id: str) -> ActionResult:
        return await self._action(f"checks/{end_to_end_id}/stop", end_to_end_id)
