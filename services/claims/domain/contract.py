"""Contracts (warranty plans): who is entitled to service, and the money limits of a plan."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.claims.domain.errors import NotEntitled
from shared.money import Money


class ContractStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    CANCELLED = "cancelled"
    DUNNING = "dunning"


class Brand(StrEnum):
    CINCH = "cinch"
    SEARS_HOME_WARRANTY = "sears_home_warranty"


class ItemKind(StrEnum):
    MICROWAVE = "microwave"
    REFRIGERATOR = "refrigerator"
    DISHWASHER = "dishwasher"
    OVEN = "oven"
    WASHER = "washer"
    DRYER = "dryer"
    HVAC = "hvac"
    WATER_HEATER = "water_heater"
    PLUMBING = "plumbing"
    ELECTRICAL = "electrical"
    OTHER = "other"


@dataclass(frozen=True)
class Limits:
    """A plan's money terms. One contract is one term: the annual aggregate counts every claim
    committed (approved or later) on it; a renewal is a new contract."""

    service_fee: Money  # the deductible; BYOP reimbursements are paid less it
    per_claim_cap: Money
    annual_aggregate: Money

    def remaining_aggregate(self, committed: Money) -> Money:
        return self.annual_aggregate.minus_floor_zero(committed)


def ensure_entitled(status: ContractStatus) -> None:
    """Only Active contracts are entitled to service (Pending, Cancelled, Dunning are not)."""
    if status is not ContractStatus.ACTIVE:
        raise NotEntitled(f"contract is {status.value}; only active contracts get service")
