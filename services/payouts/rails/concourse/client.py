"""The outgoing Concourse client (modelled on Global Payments v1, under ``/tsapi/v1/concourse``):
``POST /payments`` (202 ``paymentInitiationResponse``), ``GET /payments/status?endToEndId=``,
``POST /payments/{endToEndId}/invitation`` (resend) and ``POST /payments/{endToEndId}/
cancellation`` (cancel while unclaimed), with Global Payments' error envelopes.

The payee is named by email only (``creditorAccount.alternateAccountIdentifier``, scheme EMAL,
no ``accountType``: the payee chooses ACH or Zelle when registering). The HTTP discipline is
``ProviderClient``'s; the envelope, errors and debtor are the J.P. Morgan client's.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import httpx

from services.payouts.adapters.provider_http import ProviderError
from services.payouts.domain.execution_dates import execution_date
from services.payouts.domain.model import Payee, Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.rails.jpm_payments.client import JpmPaymentsClient, rejection
from services.payouts.rails.jpm_payments.wire import InitiationAnswer, PaymentStatusAnswer
from services.payouts.service.ports import (
    ActionResult,
    ProviderPayment,
    Rejected,
    Status,
    Unknown,
)

from .statuses import IMPLIED_REASON_CODES, observe

log = logging.getLogger(__name__)

INVITATION_PATH = "payments/{end_to_end_id}/invitation"
CANCELLATION_PATH = "payments/{end_to_end_id}/cancellation"


def concourse_today(now: datetime | None = None) -> date:
    """The execution date: the next business day where the bank books ACH (Concourse's)."""
    return execution_date(now or datetime.now(UTC), Rail.CONCOURSE)


def email_creditor(payee: Payee) -> dict[str, Any]:
    """Global Payments' pay-by-proxy creditor: the email as ``alternateAccountIdentifier``
    with scheme EMAL. No ``accountType``: there is no account until the payee registers."""
    return {"creditorName": payee.name, "creditorAccount": {
        "alternateAccountIdentifier": payee.email or "",
        "schemeName": {"proprietary": "EMAL"}}}


def concourse_status_payment(answer: PaymentStatusAnswer, end_to_end_id: str,
                             ) -> ProviderPayment:
    core = answer.payment_status
    reason, code = rejection(core.exception)
    return ProviderPayment(
        end_to_end_id=end_to_end_id, provider_reference=None, observation=observe(core.status),
        amount=None, reason=reason, reason_code=code or IMPLIED_REASON_CODES.get(core.status),
        provider_status=core.status)


def concourse_initiation(answer: InitiationAnswer) -> ProviderPayment:
    initiation = answer.payment_initiation_response
    return ProviderPayment(end_to_end_id=initiation.end_to_end_id,
                           provider_reference=initiation.firm_root_id,
                           observation=Observation.PENDING, amount=None,
                           provider_status="PENDING")


class ConcourseClient(JpmPaymentsClient):
    RAIL = Rail.CONCOURSE

    def __init__(self, base_url: str, **options: Any) -> None:
        options.setdefault("today", concourse_today)
        super().__init__(base_url, **options)

    def creditor(self, payee: Payee) -> dict[str, Any]:
        return email_creditor(payee)

    def read_answer(self, response: httpx.Response, end_to_end_id: str) -> ProviderPayment:
        if response.status_code == 202:
            return concourse_initiation(InitiationAnswer.model_validate_json(response.content))
        return concourse_status_payment(
            PaymentStatusAnswer.model_validate_json(response.content), end_to_end_id)

    async def resend_invitation(self, end_to_end_id: str) -> ActionResult:
        """Email the invitation again (it restarts the unclaimed clock); only while INVITED."""
        return await self._invitation_action(INVITATION_PATH, end_to_end_id)

    async def cancel(self, end_to_end_id: str) -> ActionResult:
        """Cancel the payment while the payee has not registered; the answer is CANCELLED."""
        return await self._invitation_action(CANCELLATION_PATH, end_to_end_id)

    async def _invitation_action(self, path: str, end_to_end_id: str) -> ActionResult:
        """200 ``paymentStatus``: done; 400 (Global Payments' envelope, e.g. 10008: not in a
        state that allows it; 10009: unknown id): refused; anything else: unknown."""
        extra = {"attempt_id": end_to_end_id}
        try:
            response = await self._call("POST", self._url(path.format(
                end_to_end_id=end_to_end_id)))
            if response.status_code == 200:
                return Status(self._payment(response, end_to_end_id))
        except ProviderError as exc:
            log.warning("%s: outcome unknown: %s", path, exc, extra=extra)
            return Unknown(f"{type(exc).__name__}: {exc}")
        if response.status_code in (400, 404):
            return Rejected(response.status_code, self._detail(response))
        return Unknown(f"provider answered {response.status_code}")
