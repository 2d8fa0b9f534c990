"""The outgoing J.P. Morgan Global Payments client: ``POST /payments`` (202
``paymentInitiationResponse``), ``GET /payments/status?endToEndId=`` and the error envelopes.

The HTTP discipline (same endToEndId on every retry, a timeout is unknown, 503 on every try is
not sent) is ``ProviderClient``'s; this module knows only J.P. Morgan's wire format.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
from pydantic import ValidationError

from services.payouts.adapters.provider_http import ProviderClient, ProviderProtocolError
from services.payouts.domain.execution_dates import execution_date
from services.payouts.domain.model import Payee, Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.domain.validation import zelle_recipient
from services.payouts.service.ports import (
    NotSent,
    PaymentInstruction,
    ProviderPayment,
    Rejected,
    SendResult,
)
from shared.money import json_number

from .statuses import observe
from .wire import ErrorAnswer, ErrorDetail, InitiationAnswer, PaymentException, PaymentStatusAnswer

log = logging.getLogger(__name__)

# "Invalid Id provided" (the spec's error table): the bank does not know the endToEndId.
UNKNOWN_ID_CODE = "10009"
# One line of 140 characters: the tightest limit the spec gives for US payments.
REMITTANCE_MAX = 140


def new_york_today(now: datetime | None = None) -> date:
    """The execution date of a same-day payment: today where the bank books it (Zelle is same
    day only, every day; ``execution_dates`` holds every rail's calendar and cut-off)."""
    return execution_date(now or datetime.now(UTC), Rail.ZELLE)


@dataclass(frozen=True, slots=True)
class Debtor:
    """Our operating account at J.P. Morgan, the debtor of every payout."""

    account_id: str
    bank_bic: str = "CHASUS33"
    name: str | None = None
    account_type: str = "DDA"

    def debtor(self) -> dict[str, Any]:
        debtor: dict[str, Any] = {"debtorAccount": {
            "accountId": self.account_id, "accountType": self.account_type,
            "accountCurrency": "USD"}}
        if self.name:
            debtor["debtorName"] = self.name
        return debtor

    def agent(self) -> dict[str, Any]:
        return {"financialInstitutionId": {"bic": self.bank_bic}}


def zelle_creditor(payee: Payee) -> dict[str, Any]:
    """A Zelle recipient by proxy: ``accountType`` ZELLE, the email (EMAL) or US mobile (TELI)
    as ``alternateAccountIdentifier`` (for Zelle only EMAL and TELI apply, per the spec)."""
    token = zelle_recipient(payee) or ""
    scheme = "EMAL" if "@" in token else "TELI"
    return {"creditorName": payee.name, "creditorAccount": {
        "alternateAccountIdentifier": token, "accountType": "ZELLE",
        "schemeName": {"proprietary": scheme}}}


@dataclass(frozen=True, slots=True)
class BankAccount:
    """A US bank account paid by ACH: ABA routing number and account number."""

    routing_number: str
    account_number: str
    account_type: str = "DDA"  # or SVGS


def ach_creditor(name: str, account: BankAccount) -> dict[str, Any]:
    return {"creditorName": name, "creditorAccount": {
        "accountId": account.account_number, "accountType": account.account_type}}


def ach_creditor_agent(account: BankAccount) -> dict[str, Any]:
    return {"financialInstitutionId": {"clearingSystemId": {
        "id": account.routing_number, "idType": "USABA"}}}


def payment_body(instruction: PaymentInstruction, debtor: Debtor, execution_date: date, *,
                 creditor: dict[str, Any], payment_type: str | None = None,
                 creditor_agent: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``PaymentInitationDetails`` envelope. ``paymentType`` is mandatory for RTP, ACH and
    coin payments only, and its enum has no Zelle value: a Zelle payment leaves it out."""
    payments: dict[str, Any] = {
        "paymentIdentifiers": {"endToEndId": instruction.end_to_end_id},
        "requestedExecutionDate": execution_date.isoformat(),
        "transferType": "CREDIT",
        "paymentCurrency": instruction.amount.currency,
        # A JSON number, as the spec types it; two decimals survive the float exactly.
        "paymentAmount": json_number(instruction.amount.amount),
        "debtor": debtor.debtor(),
        "debtorAgent": debtor.agent(),
        "creditor": creditor,
    }
    if payment_type is not None:
        payments["paymentType"] = payment_type
    if creditor_agent is not None:
        payments["creditorAgent"] = creditor_agent
    if instruction.memo:
        payments["remittanceInformation"] = {
            "unstructuredInformation": [instruction.memo[:REMITTANCE_MAX]]}
    return {"payments": payments}


def rejection(exceptions: list[PaymentException]) -> tuple[str | None, str | None]:
    """The reason text and code of a rejection: the ISO ``externalCode`` (AM04, BE23) when the
    bank gives one, else its own ``errorCode``."""
    if not exceptions:
        return None, None
    parts = []
    for item in exceptions:
        codes = "/".join(c for c in (item.external_code, item.error_code) if c)
        text = item.error_description or item.rule_definition or ""
        parts.append(f"{codes}: {text}".strip(": ") if codes else text)
    first = exceptions[0]
    return "; ".join(p for p in parts if p)[:500] or None, first.external_code or first.error_code


def errors_of(response: httpx.Response) -> list[ErrorDetail]:
    try:
        return ErrorAnswer.model_validate_json(response.content).details()
    except ValidationError:
        return []


def initiation_payment(answer: InitiationAnswer) -> ProviderPayment:
    """A 202: the bank holds the payment for processing, which is all it says."""
    initiation = answer.payment_initiation_response
    return ProviderPayment(end_to_end_id=initiation.end_to_end_id,
                           provider_reference=initiation.firm_root_id,
                           observation=Observation.PENDING, amount=None,
                           provider_status="PENDING")


def status_payment(answer: PaymentStatusAnswer, end_to_end_id: str) -> ProviderPayment:
    core = answer.payment_status
    reason, code = rejection(core.exception)
    return ProviderPayment(end_to_end_id=end_to_end_id, provider_reference=None,
                           observation=observe(core.status), amount=None, reason=reason,
                           reason_code=code, provider_status=core.status)


class JpmPaymentsClient(ProviderClient):
    """One client for J.P. Morgan's payment types; a subclass says which rail, which
    ``paymentType`` and how the creditor is named."""

    CREATE_PATH = "payments"
    STATUS_PATH = "payments/status"
    PAYMENT_TYPE: str | None = None

    def __init__(self, base_url: str, *, debtor: Debtor,
                 today: Callable[[], date] = new_york_today, **options: Any) -> None:
        super().__init__(base_url, **options)
        self._debtor = debtor
        self._today = today

    def creditor(self, payee: Payee) -> dict[str, Any]:
        raise NotImplementedError

    def body(self, instruction: PaymentInstruction) -> dict[str, Any]:
        return payment_body(instruction, self._debtor, self._today(),
                            creditor=self.creditor(instruction.payee),
                            payment_type=self.PAYMENT_TYPE)

    def read_answer(self, response: httpx.Response, end_to_end_id: str) -> ProviderPayment:
        if response.status_code == 202:
            return initiation_payment(InitiationAnswer.model_validate_json(response.content))
        return status_payment(PaymentStatusAnswer.model_validate_json(response.content),
                              end_to_end_id)

    def read(self, content: bytes) -> ProviderPayment:
        raise ProviderProtocolError("J.P. Morgan answers are read by read_answer")

    def not_found(self, response: httpx.Response) -> bool:
        if response.status_code == 404:
            return True
        return response.status_code == 400 and any(
            e.error_code == UNKNOWN_ID_CODE for e in errors_of(response))

    def refused(self, response: httpx.Response, end_to_end_id: str) -> SendResult:
        extra = {"attempt_id": end_to_end_id}
        detail = self._detail(response)
        if response.status_code == 400:
            # ErrorsInit: the bank validated the instruction and refused it; nothing exists.
            self._count("rejected")
            log.warning("payment rejected (400): %s", detail, extra=extra)
            codes = [e.error_code for e in errors_of(response) if e.error_code]
            return Rejected(400, detail, reason_code=codes[0] if codes else None)
        if response.status_code == 403:
            # Not entitled / debtor account not found: refused before anything was created.
            # Our set-up is wrong, not the payee: the attempt waits (same id) for the fix.
            self._count("forbidden")
            log.error("payment refused (403): %s", detail, extra=extra)
            return NotSent(f"provider answered 403: {detail}")
        return super().refused(response, end_to_end_id)

    def _detail(self, response: httpx.Response) -> str:
        details = errors_of(response)
        if not details:
            return super()._detail(response)
        return "; ".join(f"{d.error_code}: {d.error_description or d.rule_definition or ''}"
                         .strip(": ") for d in details)[:500]


class ZelleClient(JpmPaymentsClient):
    RAIL = Rail.ZELLE

    def creditor(self, payee: Payee) -> dict[str, Any]:
        return zelle_creditor(payee)


ACH_PAYMENT_TYPE = "ACH.TRF"


def ach_payment_body(instruction: PaymentInstruction, debtor: Debtor, execution_date: date,
                     account: BankAccount) -> dict[str, Any]:
    """The same envelope for ACH: ``paymentType`` ACH.TRF, the payee's bank by ABA routing
    number (``creditorAgent``) and its account number. No rail routes here yet: the platform
    has no ACH rail and a payee carries no bank account."""
    return payment_body(instruction, debtor, execution_date,
                        creditor=ach_creditor(instruction.payee.name, account),
                        payment_type=ACH_PAYMENT_TYPE,
                        creditor_agent=ach_creditor_agent(account))
