"""Versioned message contracts: the single source of every command and event's schema.

Commands are imperative (``payouts.request_payout``), events past tense (``payouts.payout_paid``).
A contract is published to the exchange of the service that owns it (the first part of its
``TYPE``), with routing key ``<service>.<aggregate>.<event>``. A new incompatible shape is a new
``VERSION`` registered beside the old one, never an edit of it.
"""

from __future__ import annotations

from datetime import datetime
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
    # The one service allowed to send it: the broker lets only that service's user publish its
    # routing key, and a consumer parks a copy that another service signed or that names
    # another producer. A command is owned by its sender, an event by the service it tells of.
    PRODUCER: ClassVar[str]

    @classmethod
    def exchange(cls) -> str:
        return cls.TYPE.split(".", 1)[0]


_REGISTRY: dict[tuple[str, int], type[Contract]] = {}


C = TypeVar("C", bound=type[Contract])


def register(cls: C) -> C:
    key = (cls.TYPE, cls.VERSION)
    if key in _REGISTRY:
        raise ValueError(f"contract {key} registered twice")
    if not getattr(cls, "PRODUCER", ""):
        raise ValueError(f"contract {key} names no PRODUCER")
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
    PRODUCER = "claims"

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
    PRODUCER = "payouts"

    attempt_id: str
    provider_reference: str | None = None


@register
class PayoutPaidV1(_PayoutEvent):
    TYPE = "payouts.payout_paid"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.paid"
    PRODUCER = "payouts"

    attempt_id: str
    provider_reference: str | None = None


@register
class PayoutFailedV1(_PayoutEvent):
    TYPE = "payouts.payout_failed"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.failed"
    PRODUCER = "payouts"

    reason: str
    attempt_id: str | None = None


@register
class PayoutReturnedV1(_PayoutEvent):
    """The money came back after the payout was paid or sent (ACH return, check returned to
    sender). The payer still owes it: the claim reopens with the reason."""

    TYPE = "payouts.payout_returned"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.returned"
    PRODUCER = "payouts"

    reason: str
    attempt_id: str | None = None


@register
class PayoutCancelledV1(_PayoutEvent):
    """The payout ended without money moving: cancelled or voided by an operator (``cancelled``),
    rejected by an approver (``rejected``), or a check never cashed (``expired``, now
    ``unclaimed``: no more may be issued, the money is the payee's unclaimed property):
    ``final_status`` is the payout's own final status, which the claim records as it is."""

    TYPE = "payouts.payout_cancelled"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.cancelled"
    PRODUCER = "payouts"

    final_status: str = Field(examples=["cancelled", "rejected", "expired", "unclaimed"])
    reason: str


class PayoutDecision(StrEnum):
    RELEASED = "released"
    REJECTED = "rejected"


@register
class PayoutDecidedV1(_PayoutEvent):
    """An approver released or rejected a payout held for approval (four eyes: never the person
    who requested it). A rejection also ends the payout: ``payout_cancelled`` follows."""

    TYPE = "payouts.payout_decided"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.decided"
    PRODUCER = "payouts"

    decision: PayoutDecision
    decided_by: str = Field(description="The approver (user id).", examples=["payables-pat"])
    decided_at: datetime
    reason: str = Field(description="The approver's reason.")


@register
class PayoutSlaBreachedV1(_PayoutEvent):
    """A payout promised within a deadline (Zelle to a service pro: 24 hours) is not paid yet."""

    TYPE = "payouts.payout_sla_breached"
    VERSION = 1
    ROUTING_KEY = "payouts.payout.sla_breached"
    PRODUCER = "payouts"

    deadline: datetime
    status: str


@register
class ServiceJobDispatchedV1(Contract):
    """A service job was dispatched to a network pro: its service fee (the trade's deductible)
    is owed by the customer and billed to their account."""

    TYPE = "claims.service_job_dispatched"
    VERSION = 1
    ROUTING_KEY = "claims.service_job.dispatched"
    PRODUCER = "claims"

    job_id: str
    service_order_id: str
    service_request_id: str
    contract_id: str
    customer_id: str = Field(description="The billing account is the customer's.")
    trade: str = Field(examples=["microwave"])
    service_fee: Amount
    currency: str = Field(default="USD", pattern="^USD$")
    dispatched_at: datetime


@register
class ServiceJobCancelledV1(Contract):
    """A dispatched job that owed a service fee was cancelled before any technician went out
    (its request cancelled, its order closed, or the job itself cancelled): the visit never
    happens, so billing voids the fee invoice that job raised."""

    TYPE = "claims.service_job_cancelled"
    VERSION = 1
    ROUTING_KEY = "claims.service_job.cancelled"
    PRODUCER = "claims"

    job_id: str = Field(description="The job whose dispatch raised the fee invoice.")
    service_order_id: str
    service_request_id: str
    contract_id: str
    customer_id: str = Field(description="The billing account is the customer's.")
    reason: str = Field(examples=["service request cancelled: customer fixed it"])
    cancelled_at: datetime


@register
class ClaimsStateChangedV1(Contract):
    """One transition in claims (claim, exception, job, order, BYOP job), as on the timeline."""

    TYPE = "claims.state_changed"
    VERSION = 1
    ROUTING_KEY = "claims.state.changed"
    PRODUCER = "claims"

    entity: str = Field(examples=["claim"])
    entity_id: str
    action: str = Field(examples=["approve"])
    from_status: str | None = None
    to_status: str | None = None
    actor: str
    reason: str | None = None
    at: datetime


@register
class PaymentReceivedV1(Contract):
    """A portal payment was charged and applied to the account's invoices, oldest first."""

    TYPE = "billing.payment_received"
    VERSION = 1
    ROUTING_KEY = "billing.payment.received"
    PRODUCER = "billing"

    payment_id: str
    account_id: str
    amount: Amount
    currency: str = Field(default="USD", pattern="^USD$")
    allocations: list[dict[str, str]] = Field(
        description="[{invoice_id, invoice_number, amount}] in the order applied."
    )
    received_at: datetime


@register
class InvoicePaidV1(Contract):
    TYPE = "billing.invoice_paid"
    VERSION = 1
    ROUTING_KEY = "billing.invoice.paid"
    PRODUCER = "billing"

    invoice_id: str
    invoice_number: str
    account_id: str
    amount: Amount
    currency: str = Field(default="USD", pattern="^USD$")
    paid_at: datetime


@register
class PaymentRefundedV1(Contract):
    """A portal payment was refunded: exactly its allocations were reversed, those invoices
    reopened."""

    TYPE = "billing.payment_refunded"
    VERSION = 1
    ROUTING_KEY = "billing.payment.refunded"
    PRODUCER = "billing"

    payment_id: str
    account_id: str
    amount: Amount
    currency: str = Field(default="USD", pattern="^USD$")
    reversals: list[dict[str, str]] = Field(
        description="[{invoice_id, amount}] of every allocation reversed."
    )
    reason: str
    refunded_at: datetime
