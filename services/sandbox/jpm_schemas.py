"""J.P. Morgan Global Payments v1 as the sandbox serves it: the part of the specification a US
Zelle or ACH payout uses, as pydantic models (names and limits from
tests/contracts/providers/jpm-global-payments-v1.yaml), and the answers in the spec's shapes.

Requests are strict (an unknown field is refused, as an invented one would be); the contract
tests prove every answer below validates against the specification itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .state import Payment, PaymentStatus

ZELLE_MIN, ZELLE_MAX = Decimal("0.01"), Decimal("100000.00")
# US RTP's limit for the endToEndId (the tightest US one in the spec): letters and numbers.
END_TO_END_ID = r"^[A-Za-z0-9]{1,31}$"
_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])$"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_US_MOBILE = re.compile(r"^\+1\d{10}$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PaymentIdentifiers(_Spec):
    end_to_end_id: str = Field(alias="endToEndId", pattern=END_TO_END_ID)


class DebtorAccount(_Spec):
    account_id: str = Field(alias="accountId", min_length=1, max_length=128)
    account_type: Literal["DDA", "SVGS"] | None = Field(default=None, alias="accountType")
    account_currency: Literal["USD"] | None = Field(default=None, alias="accountCurrency")


class Debtor(_Spec):
    debtor_account: DebtorAccount = Field(alias="debtorAccount")
    debtor_name: str | None = Field(default=None, alias="debtorName", max_length=140)


class ClearingSystemId(_Spec):
    id: str = Field(pattern=r"^\d{9}$")  # an ABA routing number
    id_type: Literal["USABA"] = Field(alias="idType")


class FinancialInstitutionId(_Spec):
    bic: str | None = Field(default=None, min_length=8, max_length=11)
    clearing_system_id: ClearingSystemId | None = Field(default=None, alias="clearingSystemId")

    @model_validator(mode="after")
    def _one(self) -> FinancialInstitutionId:
        if self.bic is None and self.clearing_system_id is None:
            raise ValueError("debtorAgent bic or clearingSystemId must be provided")
        return self


class Agent(_Spec):
    financial_institution_id: FinancialInstitutionId = Field(alias="financialInstitutionId")


class SchemeName(_Spec):
    proprietary: Literal["EMAL", "TELI"]


class CreditorAccount(_Spec):
    account_id: str | None = Field(default=None, alias="accountId", min_length=1,
                                   max_length=31)
    alternate_account_identifier: str | None = Field(
        default=None, alias="alternateAccountIdentifier", min_length=1, max_length=128)
    account_type: Literal["ZELLE", "DDA", "SVGS"] | None = Field(default=None,
                                                                 alias="accountType")
    scheme_name: SchemeName | None = Field(default=None, alias="schemeName")

    @model_validator(mode="after")
    def _one_identifier(self) -> CreditorAccount:
        if (self.account_id is None) == (self.alternate_account_identifier is None):
            raise ValueError("creditorAccount is accountId or alternateAccountIdentifier")
        if self.alternate_account_identifier is not None and self.scheme_name is None:
            raise ValueError("schemeName is mandatory with alternateAccountIdentifier")
        return self


class Creditor(_Spec):
    creditor_name: str = Field(alias="creditorName", min_length=1, max_length=140)
    creditor_account: CreditorAccount = Field(alias="creditorAccount")


class RemittanceInformation(_Spec):
    unstructured_information: list[str] = Field(alias="unstructuredInformation", max_length=1)

    @field_validator("unstructured_information")
    @classmethod
    def _one_line(cls, lines: list[str]) -> list[str]:
        if any(len(line) > 140 for line in lines):
            raise ValueError("one line of at most 140 characters")
        return lines


class PaymentsOpening(_Spec):
    """The fields every ``payments`` envelope begins with (Global Payments, and Concourse
    modelled on it); each rail's envelope goes on with its amount, parties and remittance."""

    payment_identifiers: PaymentIdentifiers = Field(alias="paymentIdentifiers")
    requested_execution_date: str = Field(alias="requestedExecutionDate", pattern=_DATE)
    transfer_type: Literal["CREDIT"] = Field(alias="transferType")
    payment_currency: Literal["USD"] = Field(alias="paymentCurrency")


def memo_of(info: RemittanceInformation | None) -> str | None:
    """The memo a payment carries: its one line of unstructured remittance information."""
    return info.unstructured_information[0] if info and info.unstructured_information else None


class Payments(PaymentsOpening):
    payment_amount: Decimal = Field(alias="paymentAmount", ge=Decimal("0.01"),
                                    decimal_places=2)
    payment_type: Literal["ACH.TRF"] | None = Field(default=None, alias="paymentType")
    debtor: Debtor
    debtor_agent: Agent = Field(alias="debtorAgent")
    creditor_agent: Agent | None = Field(default=None, alias="creditorAgent")
    creditor: Creditor
    remittance_information: RemittanceInformation | None = Field(
        default=None, alias="remittanceInformation")

    @property
    def is_zelle(self) -> bool:
        return self.creditor.creditor_account.account_type == "ZELLE"

    @model_validator(mode="after")
    def _zelle_or_ach(self) -> Payments:
        account = self.creditor.creditor_account
        if self.is_zelle:
            _zelle_recipient(account)
            if not ZELLE_MIN <= self.payment_amount <= ZELLE_MAX:
                raise ValueError("a Zelle payment is between 0.01 and 100000.00 USD")
            if self.payment_type is not None:
                raise ValueError("paymentType does not apply to Zelle")
        elif self.payment_type != "ACH.TRF" or account.account_id is None \
                or self.creditor_agent is None:
            raise ValueError("the sandbox serves Zelle (creditorAccount.accountType ZELLE) and "
                             "ACH (paymentType ACH.TRF, accountId, creditorAgent by USABA)")
        return self

    @property
    def recipient(self) -> str:
        account = self.creditor.creditor_account
        return account.alternate_account_identifier or account.account_id or ""

    @property
    def memo(self) -> str | None:
        return memo_of(self.remittance_information)


def _zelle_recipient(account: CreditorAccount) -> None:
    token = account.alternate_account_identifier or ""
    scheme = account.scheme_name.proprietary if account.scheme_name else None
    if scheme == "EMAL" and not _EMAIL.fullmatch(token):
        raise ValueError("a Zelle EMAL recipient is an email address")
    if scheme == "TELI" and not _US_MOBILE.fullmatch(token):
        raise ValueError("a Zelle TELI recipient is a US mobile number (+1 and 10 digits)")
    if scheme is None:
        raise ValueError("a Zelle recipient is by alternateAccountIdentifier (EMAL or TELI)")


class PaymentInitationDetails(_Spec):
    payments: Payments


# -- answers, in the spec's shapes -----------------------------------------------------------

# A network's clearing or regulatory refusal, in the spec's error table.
CLEARING_FAILURE = ("11000", "Clearing/Regulatory failure")
UNKNOWN_ID = ("10009", "Invalid Id provided")
MANDATORY_FIELD = ("10001", "Mandatory field is missing or invalid")


def initiation_answer(payment: Payment) -> dict[str, Any]:
    return {"paymentInitiationResponse": {"endToEndId": payment.end_to_end_id,
                                          "firmRootId": payment.payment_id}}


def exceptions_of(payment: Payment) -> list[dict[str, str]]:
    if payment.status not in (PaymentStatus.REJECTED, PaymentStatus.BLOCKED,
                              PaymentStatus.RETURNED):
        return []
    code, rule = CLEARING_FAILURE
    item = {"errorCode": code, "errorDescription": (payment.status_reason or rule)[:1024],
            "ruleDefinition": rule}
    if payment.reason_code:
        item["externalCode"] = payment.reason_code
    return [item]


def _when(payment: Payment) -> str:
    return payment.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


# A payment's ``exception[]`` items (Concourse, modelled on Global Payments, has its own).
Exceptions = Callable[[Payment], list[dict[str, str]]]


def status_answer(payment: Payment, exceptions: Exceptions = exceptions_of) -> dict[str, Any]:
    status: dict[str, Any] = {"createDateTime": _when(payment), "status": payment.status.value}
    if items := exceptions(payment):
        status["exception"] = items
    return {"paymentStatus": status}


def callback_item(payment: Payment, exceptions: Exceptions = exceptions_of) -> dict[str, Any]:
    """One entry of the ``{"callbacks": [...]}`` body."""
    item: dict[str, Any] = {"endToEndId": payment.end_to_end_id,
                            "firmRootId": payment.payment_id,
                            "createDateTime": _when(payment),
                            "paymentStatus": payment.status.value}
    if items := exceptions(payment):
        item["exceptions"] = items
    return item


def callback_body(payment: Payment) -> dict[str, Any]:
    return {"callbacks": [callback_item(payment)]}


def init_errors(errors: list[tuple[str, str]], end_to_end_id: str | None = None,
                ) -> dict[str, Any]:
    """``{"errors": ErrorsInit}``: the 400 of POST /payments."""
    group: dict[str, Any] = {"errorDetails": [
        {"errorCode": code, "errorDescription": text[:1024]} for code, text in errors]}
    if end_to_end_id:
        group["endToEndId"] = end_to_end_id[:128]
    return {"errors": group}


def errors(code: str, text: str, *, query: bool) -> dict[str, Any]:
    """``{"errors": Errors}`` (403/503 of POST /payments) or ``{"errors": [Errors]}`` (the
    queries' 400/403/503)."""
    group = {"errorDetails": [{"errorCode": code, "errorDescription": text[:1024]}]}
    return {"errors": [group] if query else group}
