"""Bring Your Own Pro: the customer's own service pro does the work, we reimburse.

Authorized to schedule -> (diagnosis and estimate, pro's details) Diagnosed -> Repair authorized
(a covered amount) | Denied -> (invoice received) Completed -> Payment requested (the claim goes
to Support Services for review). The customer is reimbursed the authorized amount, never more
than the invoice, less the plan's deductible.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from services.claims.domain.claim import Amounts
from services.claims.domain.errors import DomainError, InvalidAmount, ServiceProInfoMissing
from services.claims.domain.events import Transitioned, transitioned
from services.claims.domain.payment import MailingAddress
from shared.domain.machine import Rule, StateMachine
from shared.money import Money


class ByopStage(StrEnum):
    AUTHORIZED_TO_SCHEDULE = "authorized_to_schedule"
    DIAGNOSED = "diagnosed"
    REPAIR_AUTHORIZED = "repair_authorized"
    DENIED = "denied"
    COMPLETED = "completed"
    PAYMENT_REQUESTED = "payment_requested"


class ByopAction(StrEnum):
    RECORD_DIAGNOSIS = "record_diagnosis"
    AUTHORIZE = "authorize"
    DENY = "deny"
    RECORD_COMPLETION = "record_completion"
    REQUEST_PAYMENT = "request_payment"


@dataclass(frozen=True)
class ByopFacts:
    service_pro_named: bool = False
    estimate: Money | None = None
    authorized: Money | None = None
    # The least of the per-claim cap and what is left of the annual aggregate.
    within_limits: Money | None = None


def _diagnosis(facts: ByopFacts) -> DomainError | None:
    if not facts.service_pro_named:
        return ServiceProInfoMissing("record the service pro's name with the diagnosis")
    if facts.estimate is None or facts.estimate.is_zero():
        return InvalidAmount("the diagnosis needs the pro's estimate")
    return None


def _authorized(facts: ByopFacts) -> DomainError | None:
    if facts.authorized is None or facts.authorized.is_zero():
        return InvalidAmount("authorize a covered amount greater than zero, or deny")
    if facts.estimate is not None and facts.authorized > facts.estimate:
        return InvalidAmount(
            f"the covered amount ${facts.authorized} exceeds the estimate ${facts.estimate}"
        )
    if facts.within_limits is not None and facts.authorized > facts.within_limits:
        return InvalidAmount(
            f"the covered amount ${facts.authorized} exceeds the ${facts.within_limits} the "
            "contract's remaining limits allow"
        )
    return None


_S = ByopStage
_A = ByopAction
BYOP_MACHINE: StateMachine[ByopStage, ByopAction, ByopFacts] = StateMachine(
    "BYOP job",
    [
        Rule(_S.AUTHORIZED_TO_SCHEDULE, _A.RECORD_DIAGNOSIS, _S.DIAGNOSED, _diagnosis),
        Rule(_S.DIAGNOSED, _A.AUTHORIZE, _S.REPAIR_AUTHORIZED, _authorized),
        Rule(_S.DIAGNOSED, _A.DENY, _S.DENIED),
        Rule(_S.REPAIR_AUTHORIZED, _A.RECORD_COMPLETION, _S.COMPLETED),
        Rule(_S.COMPLETED, _A.REQUEST_PAYMENT, _S.PAYMENT_REQUESTED),
    ],
)


def reimbursement(*, authorized: Money, invoice: Money, deductible: Money) -> Amounts:
    """Authorized amount capped at what the pro actually invoiced, less the deductible."""
    return Amounts(gross=authorized.min(invoice), deductible=deductible)


@dataclass(frozen=True)
class ServicePro:
    name: str
    email: str | None = None
    mobile: str | None = None
    address: MailingAddress | None = None
    zelle_token: str | None = None


class ByopCaseState(Protocol):
    job_id: uuid.UUID
    stage: ByopStage
    pro_name: str | None
    pro_email: str | None
    pro_mobile: str | None
    pro_zelle_token: str | None
    pro_address_line1: str | None
    pro_address_line2: str | None
    pro_address_city: str | None
    pro_address_state: str | None
    pro_address_zip: str | None
    diagnosis: str | None
    estimate: Decimal | None
    authorized: Decimal | None
    decision_reason: str | None
    invoice: Decimal | None
    updated_at: datetime


def _money(value: Decimal | None) -> Money | None:
    return None if value is None else Money(value)


class ByopCase:
    """A BYOP case's behaviour (a mixin of methods only, as ``claim_entity.Claim``): each step fires
    ``BYOP_MACHINE`` on the case's own facts, then keeps what the step brought."""

    def facts(self: ByopCaseState) -> ByopFacts:
        return ByopFacts(service_pro_named=bool(self.pro_name), estimate=_money(self.estimate),
                         authorized=_money(self.authorized))

    def record_diagnosis(self: ByopCaseState, pro: ServicePro, diagnosis: str,
                         estimate: Money, *, actor: str, at: datetime) -> list[Transitioned]:
        facts = replace(ByopCase.facts(self), service_pro_named=bool(pro.name.strip()),
                        estimate=estimate)
        events = _advance(self, ByopAction.RECORD_DIAGNOSIS, facts, actor, at,
                          estimate=str(estimate))
        # Annotated where first written: mypy takes a mixin's writes as its own attributes.
        self.pro_name: str | None = pro.name
        self.pro_email, self.pro_mobile = pro.email, pro.mobile
        self.pro_zelle_token = pro.zelle_token
        if pro.address is not None:
            self.pro_address_line1: str | None = pro.address.line1
            self.pro_address_line2 = pro.address.line2
            self.pro_address_city: str | None = pro.address.city
            self.pro_address_state: str | None = pro.address.state
            self.pro_address_zip: str | None = pro.address.zip
        self.diagnosis: str | None = diagnosis
        self.estimate: Decimal | None = estimate.amount
        return events

    def decide(self: ByopCaseState, authorized: Money | None, reason: str, *,
               within_limits: Money, actor: str, at: datetime) -> list[Transitioned]:
        """A covered amount authorizes the repair; none denies coverage, with the reason."""
        action = ByopAction.DENY if authorized is None else ByopAction.AUTHORIZE
        facts = replace(ByopCase.facts(self), authorized=authorized,
                        within_limits=within_limits)
        events = _advance(self, action, facts, actor, at,
                          authorized=None if authorized is None else str(authorized),
                          reason=reason)
        self.authorized = None if authorized is None else authorized.amount
        self.decision_reason: str | None = reason
        return events

    def record_completion(self: ByopCaseState, invoice: Money, *, actor: str, at: datetime
                          ) -> list[Transitioned]:
        events = _advance(self, ByopAction.RECORD_COMPLETION, ByopCase.facts(self), actor, at,
                          invoice=str(invoice))
        self.invoice: Decimal | None = invoice.amount
        return events

    def request_payment(self: ByopCaseState, *, actor: str, at: datetime
                        ) -> list[Transitioned]:
        return _advance(self, ByopAction.REQUEST_PAYMENT, ByopCase.facts(self), actor, at)


def _advance(case: ByopCaseState, action: ByopAction, facts: ByopFacts, actor: str,
             at: datetime, **detail: Any) -> list[Transitioned]:
    before = case.stage
    case.stage = BYOP_MACHINE.fire(before, action, facts)
    case.updated_at = at
    return [transitioned(entity="byop", entity_id=case.job_id, job_id=case.job_id,
                         action=action.value, actor=actor, at=at, from_status=before,
                         to_status=case.stage, **detail)]
