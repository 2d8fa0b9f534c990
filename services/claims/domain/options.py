"""Options posted on a service order (Repair, Replacement, Claim Credit) and the customer's pick.

Accepting one option declines the others. Accepting the Claim Credit opens the money side: a
claim for the credit amount, reviewed by Support Services before anyone is paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from services.claims.domain.errors import InvalidOptions
from shared.domain.machine import Rule, StateMachine
from shared.money import Money


class OptionKind(StrEnum):
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    CLAIM_CREDIT = "claim_credit"


class OptionStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class OptionAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


OPTION_MACHINE: StateMachine[OptionStatus, OptionAction, None] = StateMachine(
    "option",
    [
        Rule(OptionStatus.OFFERED, OptionAction.ACCEPT, OptionStatus.ACCEPTED),
        Rule(OptionStatus.OFFERED, OptionAction.DECLINE, OptionStatus.DECLINED),
    ],
)

_LABELS = {
    OptionKind.REPAIR: "Repair",
    OptionKind.REPLACEMENT: "Replacement",
    OptionKind.CLAIM_CREDIT: "Claim Credit",
}


@dataclass(frozen=True)
class Offer:
    kind: OptionKind
    amount: Money | None
    description: str | None = None


def validate_offers(offers: Sequence[Offer]) -> None:
    """At least one option, each kind once; only the Claim Credit carries an amount (cash)."""
    if not offers:
        raise InvalidOptions("post at least one option")
    kinds = [offer.kind for offer in offers]
    if len(set(kinds)) != len(kinds):
        raise InvalidOptions("each kind of option may be offered once")
    for offer in offers:
        if offer.kind is OptionKind.CLAIM_CREDIT:
            if offer.amount is None or offer.amount.is_zero():
                raise InvalidOptions("a claim credit needs an amount greater than zero")
        elif offer.amount is not None:
            raise InvalidOptions(f"a {_LABELS[offer.kind]} option carries no amount")


def acceptance_note(actor: str, accepted: Offer, declined: Sequence[OptionKind]) -> str:
    """The job note: who declined which option and, for a credit, the accepted amount."""
    declined_text = ", ".join(_LABELS[kind] for kind in declined) or "nothing"
    accepted_text = _LABELS[accepted.kind]
    if accepted.amount is not None:
        accepted_text += f" of ${accepted.amount}"
    return f"{actor} declined {declined_text}; accepted {accepted_text}."


class OptionState(Protocol):
    status: OptionStatus
    decided_by: str | None
    decided_at: datetime | None


class Option:
    """An option's behaviour (a mixin of methods only, as ``claim_entity.Claim``)."""

    def decide(self: OptionState, action: OptionAction, *, actor: str, at: datetime) -> None:
        """Accepted or declined by ``actor`` (the order's entry tells the timeline)."""
        self.status = OPTION_MACHINE.fire(self.status, action, None)
        # Annotated where first written: mypy takes a mixin's writes as its own attributes.
        self.decided_by: str | None = actor
        self.decided_at: datetime | None = at
