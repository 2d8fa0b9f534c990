"""Who may approve a claim for payment, and how much.

- Nobody approves a claim they created themselves.
- A claim never takes the contract past its annual aggregate (no override: it is the plan).
- Above the approver's approval limit, or above the plan's per-claim cap, only a supervisor
  approves, and only by saying so ("approve override").
"""

from __future__ import annotations

from dataclasses import dataclass

from services.claims.domain.errors import (
    AggregateLimitExceeded,
    ApprovalLimitExceeded,
    DomainError,
    OverrideNotPermitted,
    SelfApproval,
)
from shared.money import Money


@dataclass(frozen=True)
class Approval:
    approver: str
    supervisor: bool
    override: bool
    approval_limit: Money
    per_claim_cap: Money
    remaining_aggregate: Money

    def refusal(self, *, payable: Money, created_by: str) -> DomainError | None:
        if self.approver == created_by:
            return SelfApproval("a claim must be approved by someone other than its creator")
        if payable > self.remaining_aggregate:
            return AggregateLimitExceeded(
                f"${payable} exceeds the ${self.remaining_aggregate} left on the contract's "
                "annual aggregate"
            )
        if self.override and not self.supervisor:
            return OverrideNotPermitted("only a supervisor may approve with an override")
        if self.needs_override(payable) and not self.override:
            return ApprovalLimitExceeded(
                f"${payable} is above the approval limit (${self.approval_limit}) or the "
                f"per-claim cap (${self.per_claim_cap}); a supervisor must approve an override"
            )
        return None

    def needs_override(self, payable: Money) -> bool:
        return payable > self.approval_limit or payable > self.per_claim_cap
