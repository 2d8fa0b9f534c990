"""The parts of J.P. Morgan's answers, errors and callbacks this client reads, named as in the
specification (``components.schemas``). Readers are tolerant (unknown fields ignored): the bank
may add fields; what it sends is checked strictly against the spec by the contract tests."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.text_input import refuse_nul


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class PaymentException(_Wire):
    """One item of ``CoreStatus.exception[]`` / ``Callbacks[].exceptions[]``."""

    error_code: str | None = Field(default=None, alias="errorCode")
    error_description: str | None = Field(default=None, alias="errorDescription")
    rule_definition: str | None = Field(default=None, alias="ruleDefinition")
    external_code: str | None = Field(default=None, alias="externalCode")  # ISO: AM04, BE23


class CoreStatus(_Wire):
    status: str
    create_date_time: str | None = Field(default=None, alias="createDateTime")
    clearing_system_reference: str | None = Field(default=None,
                                                  alias="clearingSystemReference")
    exception: list[PaymentException] = Field(default_factory=list)


class PaymentStatusAnswer(_Wire):
    """``GET /payments/status`` 200: ``PaymentStatus``."""

    payment_status: CoreStatus = Field(alias="paymentStatus")


class Initiation(_Wire):
    end_to_end_id: str = Field(alias="endToEndId")
    firm_root_id: str | None = Field(default=None, alias="firmRootId")


class InitiationAnswer(_Wire):
    """``POST /payments`` 202: ``PaymentInitiationResponse``."""

    payment_initiation_response: Initiation = Field(alias="paymentInitiationResponse")


class ErrorDetail(_Wire):
    """``ErrorDetails`` (initiation) and ``Error`` (the other envelopes) alike."""

    error_code: str | None = Field(default=None, alias="errorCode")
    error_description: str | None = Field(default=None, alias="errorDescription")
    rule_definition: str | None = Field(default=None, alias="ruleDefinition")


class ErrorGroup(_Wire):
    end_to_end_id: str | None = Field(default=None, alias="endToEndId")
    # The spec says an array; its own AU400 example sends one object: both are read.
    error_details: list[ErrorDetail] | ErrorDetail = Field(default_factory=list,
                                                          alias="errorDetails")

    def details(self) -> list[ErrorDetail]:
        return self.error_details if isinstance(self.error_details, list) \
            else [self.error_details]


class ErrorAnswer(_Wire):
    """The 400/403/503 envelopes: ``{"errors": ErrorsInit | Errors}`` for POST /payments,
    ``{"errors": [Errors]}`` for the queries."""

    errors: ErrorGroup | list[ErrorGroup]

    def details(self) -> list[ErrorDetail]:
        groups = self.errors if isinstance(self.errors, list) else [self.errors]
        return [detail for group in groups for detail in group.details()]


class CallbackItem(_Wire):
    """One item of the ``paymentInitiationStatus`` callback's ``callbacks[]``."""

    end_to_end_id: str = Field(alias="endToEndId", min_length=1, max_length=128)
    firm_root_id: str | None = Field(default=None, alias="firmRootId")
    clearing_system_reference: str | None = Field(default=None,
                                                  alias="clearingSystemReference")
    create_date_time: str | None = Field(default=None, alias="createDateTime")
    payment_status: str = Field(alias="paymentStatus")
    exceptions: list[PaymentException] = Field(default_factory=list)


class CallbackBody(_Wire):
    callbacks: list[CallbackItem] = Field(min_length=1, max_length=100)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        # The bank's text is stored (attempt reasons): PostgreSQL cannot hold a NUL.
        return refuse_nul(data)
