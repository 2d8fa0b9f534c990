"""Versioned message contracts: the single source of every command and event's schema.

Commands are imperative (``payouts.request_payout``), events past tense (``payouts.payout_paid``).
A contract is published to the exchange of the service that owns it (the first part of its
``TYPE``), with routing key ``<service>.<aggregate>.<event>``. A new incompatible shape is a new
``VERSION`` registered beside the old one, never an edit of it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.money import Amount


class UnknownContract(LookupError):
    pass


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int]
    ROUTING_KEY: ClassVar[str]

    @classmethod
    def exchange(cls) -> str:
        return cls.TYPE.split(".", 1)[0]


_REGISTRY: dict[tuple[str, int], type[Contract]] = {}


C = TypeVar("C", bound=type[Contract])


def register(cls: C) -> C:
    key = (cls.TYPE, cls.VERSION)
    if key in _REGISTRY:
        raise ValueError(f"contract {key} registered twice")
    _REGISTRY[key] = cls
    return cls


def contract_for(type_: str, version: int) -> type[Contract]:
    try:
        return _REGISTRY[(type_, version)]
    except KeyError:
        raise UnknownContract(f"no contract {type_} v{version}") from None


def all_contracts() -> list[type[Contract]]:
    return list(_REGISTRY.values())


class Rail(StrEnum):
    CONCOURSE = "concourse"
    CHECK = "check"
    ZELLE = "zelle"


class PayeeKind(StrEnum):
    CUSTOMER = "customer"
    SERVICE_PRO = "service_pro"


class MailingAddress(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    line1: str = Field(min_length=1, max_length=64)
    line2: str | None = Field(default=None, max_length=64)
    city: str = Field(min_length=1, max_length=64)
    state: str = Field(pattern=r"^[A-Z]{2}$")
    zip: str = Field(pattern=r"^\d{5}(-\d{4})?$")


class Payee(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: PayeeKind
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr | None = None
    mobile: str | None = Field(default=None, pattern=r"^\+1\d{10}$")
    address: MailingAddress | None = None
    zelle_token: str | None = None


class PayoutSource(BaseModel):
    """Where the money is owed from: the claim (and job) in the claims service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_id: str
    service_job_id: str | None = None
    contract_id: str | None = None
    kind: str = Field(examples=["claim_credit", "byop_reimbursement"])


@register
class RequestPayoutV1(Contract):
    """Command: pay this amount to this payee on this rail, exactly once per ``payout_key``."""

    TYPE = "payouts.request_payout"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.request"

    payout_key: str = Field(
        min_length=1, max_length=120,
        description="The requester's idempotency key: one payout per key, however often the "
        "command is delivered or sent.",
        examples=["claim:7f1c...:claim_credit"],
    )
    source: PayoutSource
    amount: Amount
    currency: str = Field(default="USD", pattern="^USD$")
    rail: Rail
    payee: Payee
    memo: str | None = Field(default=None, max_length=40)
    requested_by: str = Field(description="Who approved the payment (user id).")


class _PayoutEvent(Contract):
    payout_id: str
    payout_key: str
    source: PayoutSource
    amount: Amount
    currency: str = "USD"
    rail: Rail


@register
class PayoutSubmittedV1(_PayoutEvent):
    TYPE = "payouts.payout_submitted"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.submitted"

    attempt_id: str
    provider_reference: str | None = None


@register
class PayoutPaidV1(_PayoutEvent):
    TYPE = "payouts.payout_paid"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.paid"

    attempt_id: str
    provider_reference: str | None = None


@register
class PayoutFailedV1(_PayoutEvent):
    TYPE = "payouts.payout_failed"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.failed"

    reason: str
    attempt_id: str | None = None
