"""Bring Your Own Pro: the customer's own service pro does the work, we reimburse.

Authorized to schedule -> (diagnosis and estimate, pro's details) Diagnosed -> Repair authorized
(a covered amount) | Denied -> (invoice received) Completed -> Payment requested (the claim goes
to Support Services for review). The customer is reimbursed the authorized amount, never more
than the invoice, less the plan's deductible.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.claims.domain.claim import Amounts
from services.claims.domain.errors import DomainError, InvalidAmount, ServiceProInfoMissing
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
