"""BYOP job bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field, model_validator

from services.claims.api.schemas.common import Address, Input, Mobile, MoneyOut, Output
from services.claims.domain.byop import ByopStage
from services.claims.domain.work import JobStatus
from services.claims.service.byop import ByopView, ServicePro
from shared.money import Amount


class ByopOpenIn(Input):
    contract_id: uuid.UUID
    covered_item_id: uuid.UUID
    problem: str = Field(min_length=1, max_length=500, examples=["Water heater leaking"])


class ServiceProIn(Input):
    name: str = Field(min_length=1, max_length=120, examples=["Acme Plumbing"])
    email: EmailStr | None = Field(default=None, examples=["billing@acme-plumbing.example"])
    mobile: Mobile | None = None
    mailing_address: Address | None = None

    def to_domain(self) -> ServicePro:
        return ServicePro(
            name=self.name, email=None if self.email is None else str(self.email),
            mobile=self.mobile,
            address=None if self.mailing_address is None else self.mailing_address.to_domain(),
        )


class DiagnosisIn(Input):
    service_pro: ServiceProIn
    diagnosis: str = Field(min_length=1, max_length=2000, examples=["Tank corroded, replace"])
    estimate: Amount = Field(examples=["1450.00"])


class DecisionIn(Input):
    decision: Literal["authorize", "deny"]
    authorized_amount: Amount | None = Field(
        default=None, description="The covered amount; required to authorize, not to deny.",
        examples=["1200.00"],
    )
    reason: str = Field(min_length=1, max_length=500, examples=["Covered: failed tank"])

    @model_validator(mode="after")
    def _amount_matches_decision(self) -> DecisionIn:
        if (self.decision == "authorize") != (self.authorized_amount is not None):
            raise ValueError("authorized_amount is required to authorize and absent to deny")
        return self


class CompletionIn(Input):
    invoice_amount: Amount = Field(examples=["1300.00"])


class ServiceProOut(Output):
    name: str
    email: str | None
    mobile: str | None
    mailing_address: Address | None


class ByopOut(Output):
    job_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: str
    job_status: JobStatus
    stage: ByopStage
    service_pro: ServiceProOut | None
    diagnosis: str | None
    estimate: MoneyOut | None
    authorized_amount: MoneyOut | None
    decision_reason: str | None
    invoice_amount: MoneyOut | None
    claim_id: uuid.UUID | None
    updated_at: datetime

    @classmethod
    def of(cls, view: ByopView) -> ByopOut:
        case = view.case
        pro = None
        if case.pro_name:
            pro = ServiceProOut(name=case.pro_name, email=case.pro_email, mobile=case.pro_mobile,
                                mailing_address=Address.from_columns(case, "pro_address_"))
        return cls(
            job_id=view.job.id, order_id=view.job.order_id, customer_id=view.customer_id,
            job_status=view.job.status, stage=case.stage, service_pro=pro,
            diagnosis=case.diagnosis, estimate=case.estimate, authorized_amount=case.authorized,
            decision_reason=case.decision_reason, invoice_amount=case.invoice,
            claim_id=view.claim_id, updated_at=case.updated_at,
        )
