"""BYOP job bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field, model_validator

from services.claims.api.schemas.common import Address, Mobile, MoneyOut, example
from services.claims.domain.byop import ByopStage, ServicePro
from services.claims.domain.work import JobStatus
from services.claims.service.byop import ByopView
from shared.money import Amount
from shared.schemas import Input, Output

# A Zelle token is the enrolled email or US mobile (+1 and 10 digits).
ZELLE_TOKEN_PATTERN = r"^(\+1\d{10}|[^@\s]+@[^@\s]+\.[^@\s]+)$"


class ByopOpenIn(Input):
    model_config = example(
        {"contract_id": "0b9f5c1e-6f43-4d0e-9a57-2f1f0c2d9a11",
         "covered_item_id": "5d2f8a90-3c1b-4e7f-8d6a-1b2c3d4e5f60",
         "problem": "Water heater leaking"}
    )

    contract_id: uuid.UUID
    covered_item_id: uuid.UUID
    problem: str = Field(min_length=1, max_length=500, examples=["Water heater leaking"])


class ServiceProIn(Input):
    name: str = Field(min_length=1, max_length=120, examples=["Acme Plumbing"])
    email: EmailStr | None = Field(default=None, examples=["billing@acme-plumbing.example"])
    mobile: Mobile | None = None
    mailing_address: Address | None = None
    zelle_token: str | None = Field(
        default=None, max_length=64, pattern=ZELLE_TOKEN_PATTERN,
        examples=["payments@acme-plumbing.example"],
        description="The email or US mobile the pro is enrolled in Zelle with, if it differs "
        "from their contact email and mobile; Zelle pays it first.",
    )

    def to_domain(self) -> ServicePro:
        return ServicePro(
            name=self.name, email=None if self.email is None else str(self.email),
            mobile=self.mobile,
            address=None if self.mailing_address is None else self.mailing_address.to_domain(),
            zelle_token=self.zelle_token,
        )


class DiagnosisIn(Input):
    model_config = example(
        {"service_pro": {"name": "Acme Plumbing",
                         "email": "billing@acme-plumbing.example", "mobile": "+15125550199",
                         "zelle_token": "payments@acme-plumbing.example",
                         "mailing_address": {"line1": "4 Trade Rd", "city": "Austin",
                                             "state": "TX", "zip": "78702"}},
         "diagnosis": "Tank corroded, replace", "estimate": "1450.00"}
    )

    service_pro: ServiceProIn
    diagnosis: str = Field(min_length=1, max_length=2000, examples=["Tank corroded, replace"])
    estimate: Amount = Field(examples=["1450.00"])


class DecisionIn(Input):
    model_config = example(
        {"decision": "authorize", "authorized_amount": "900.00",
         "reason": "Covered: failed tank"}
    )

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
    model_config = example(
        {"invoice_amount": "862.37"}
    )

    invoice_amount: Amount = Field(examples=["1300.00"])


class ServiceProOut(Output):
    name: str
    email: str | None
    mobile: str | None
    mailing_address: Address | None
    zelle_token: str | None


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
                                mailing_address=Address.from_columns(case, "pro_address_"),
                                zelle_token=case.pro_zelle_token)
        return cls(
            job_id=view.job.id, order_id=view.job.order_id, customer_id=view.customer_id,
            job_status=view.job.status, stage=case.stage, service_pro=pro,
            diagnosis=case.diagnosis, estimate=case.estimate, authorized_amount=case.authorized,
            decision_reason=case.decision_reason, invoice_amount=case.invoice,
            claim_id=view.claim_id, updated_at=case.updated_at,
        )
