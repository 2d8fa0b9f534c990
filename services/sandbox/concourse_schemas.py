"""Concourse as the sandbox serves it, *modelled* on J.P. Morgan Global Payments v1 (J.P.
Morgan publishes no Concourse API): the request is Global Payments' ``payments`` envelope with
the payee named by email only (docs/providers/concourse-modelled.yaml), and the answers are in
Global Payments' shapes plus Concourse's invitation statuses. Requests are strict."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from pydantic import Field, model_validator

from shared.money import json_number

from .jpm_schemas import (
    _EMAIL,
    Agent,
    Debtor,
    PaymentsOpening,
    RemittanceInformation,
    SchemeName,
    _Spec,
    callback_item,
    exceptions_of,
    memo_of,
)
from .jpm_schemas import status_answer as gp_status_answer
from .state import Payment, PaymentStatus

# ACH's limit, the larger of the two methods a payee may choose.
CONCOURSE_MAX = Decimal("99999999.99")
# The statuses a status answer or callback reports an exception[] for.
_FAILED = frozenset({PaymentStatus.REJECTED, PaymentStatus.RETURNED,
                     PaymentStatus.INVITATION_BOUNCED, PaymentStatus.INVITATION_EXPIRED})
# "Validation failure ~ unexpected value provided": the action does not fit the status.
NOT_ALLOWED = ("10008", "Validation failure ~ unexpected value provided")


class CreditorAccount(_Spec):
    alternate_account_identifier: str = Field(alias="alternateAccountIdentifier",
                                              min_length=1, max_length=128)
    scheme_name: SchemeName = Field(alias="schemeName")

    @model_validator(mode="after")
    def _email(self) -> CreditorAccount:
        if self.scheme_name.proprietary != "EMAL" or \
                not _EMAIL.fullmatch(self.alternate_account_identifier):
            raise ValueError("a Concourse payee is invited by email (schemeName EMAL)")
        return self


class Creditor(_Spec):
    creditor_name: str = Field(alias="creditorName", min_length=1, max_length=140)
    creditor_account: CreditorAccount = Field(alias="creditorAccount")


class Payments(PaymentsOpening):
    payment_amount: Decimal = Field(alias="paymentAmount", ge=Decimal("0.01"),
                                    le=CONCOURSE_MAX, decimal_places=2)
    debtor: Debtor
    debtor_agent: Agent = Field(alias="debtorAgent")
    creditor: Creditor
    remittance_information: RemittanceInformation | None = Field(
        default=None, alias="remittanceInformation")

    @property
    def email(self) -> str:
        return self.creditor.creditor_account.alternate_account_identifier

    @property
    def memo(self) -> str | None:
        return memo_of(self.remittance_information)


class ConcoursePaymentDetails(_Spec):
    payments: Payments


def concourse_exceptions(payment: Payment) -> list[dict[str, str]]:
    if payment.status not in _FAILED:
        return []
    # Global Payments' exception item, as for a rejection (11000, with the ISO externalCode).
    return exceptions_of(replace(payment, status=PaymentStatus.REJECTED))


def status_answer(payment: Payment) -> dict[str, Any]:
    return gp_status_answer(payment, concourse_exceptions)


def callback_body(payment: Payment) -> dict[str, Any]:
    """Global Payments' callback item, plus the amount (so the receiver checks it) and, once
    the payee registered, the method they chose."""
    item = callback_item(payment, concourse_exceptions)
    item["paymentAmount"] = json_number(payment.amount)
    item["paymentCurrency"] = payment.currency
    if payment.method and payment.status in (PaymentStatus.REGISTERED,
                                             PaymentStatus.COMPLETED):
        item["paymentMethod"] = payment.method
    return {"callbacks": [item]}
