"""Contracts (warranty plans): who is entitled to service, and the money limits of a plan."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from services.claims.domain.errors import NotEntitled
from services.claims.domain.events import Transitioned, transitioned
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


class InstallType(StrEnum):
    BUILT_IN = "built_in"
    OVER_THE_RANGE = "over_the_range"
    COUNTERTOP = "countertop"


class CookType(StrEnum):
    STANDARD = "standard"
    CONVECTION = "convection"
    SPEED_COOK = "speed_cook"


@dataclass(frozen=True)
class Limits:
    """A plan's money terms. One contract is one term: the annual aggregate counts every claim
    held against it (reserved or paid, see ``limits``); a renewal is a new contract."""

    service_fee: Money  # the default deductible; a trade may have its own
    per_claim_cap: Money
    annual_aggregate: Money
    # The one-time credit offered when only replacement is possible (None: the plan has none).
    replacement_credit: Money | None = None
    trade_deductibles: Mapping[str, Money] = field(default_factory=dict)

    def remaining_aggregate(self, committed: Money) -> Money:
        return self.annual_aggregate.minus_floor_zero(committed)

    def deductible_for(self, trade: str) -> Money:
        """The service fee of a trade (the covered item's kind), else the plan's default."""
        return self.trade_deductibles.get(trade, self.service_fee)


@dataclass(frozen=True)
class MicrowaveFacts:
    brand: Brand
    kind: ItemKind
    install: InstallType | None
    cook: CookType | None
    model: str | None
    serial: str | None


# What an auto-replaced microwave's Claim Credit is when the plan names no replacement credit:
# the knowledge base's one-time credit "when only replacement is possible" (DOMAIN.md). The
# customer is always offered Replacement or Claim Credit, never Replacement alone.
DEFAULT_AUTO_REPLACEMENT_CREDIT = Money.of("250.00")


def auto_replacement_credit(plan_credit: Money | None) -> Money:
    """The Claim Credit offered beside Replacement for an auto-replaced microwave."""
    return DEFAULT_AUTO_REPLACEMENT_CREDIT if plan_credit is None else plan_credit


AUTO_REPLACEABLE_INSTALLS = frozenset({InstallType.BUILT_IN, InstallType.OVER_THE_RANGE})


def auto_replacement_refusal(facts: MicrowaveFacts) -> str | None:
    """Why a failing item may not be replaced without a diagnosis visit (None: it may).

    MyAccount's microwave auto-replacement: a built-in or over-the-range microwave of the
    standard cook type, with model and serial given; Sears Home Warranty plans are excluded."""
    if facts.kind is not ItemKind.MICROWAVE:
        return "only microwaves are auto-replaced"
    if facts.brand is Brand.SEARS_HOME_WARRANTY:
        return "Sears Home Warranty plans are excluded from auto-replacement"
    if facts.install not in AUTO_REPLACEABLE_INSTALLS:
        return "only built-in or over-the-range microwaves are auto-replaced"
    if facts.cook is not CookType.STANDARD:
        return "only the standard cook type is auto-replaced"
    if not (facts.model and facts.model.strip() and facts.serial and facts.serial.strip()):
        return "the model and serial numbers are required"
    return None


def ensure_entitled(status: ContractStatus) -> None:
    """Only Active contracts are entitled to service (Pending, Cancelled, Dunning are not)."""
    if status is not ContractStatus.ACTIVE:
        raise NotEntitled(f"contract is {status.value}; only active contracts get service")


class ContractState(Protocol):
    id: uuid.UUID
    status: ContractStatus


class Contract:
    """A contract's behaviour (a mixin of methods only, as ``claim_entity.Claim``)."""

    def created(self: ContractState, *, actor: str, at: datetime) -> list[Transitioned]:
        return [transitioned(entity="contract", entity_id=self.id, job_id=None,
                             action="create", actor=actor, at=at, to_status=self.status)]
