"""What the use cases need from a payment rail, independent of any provider's wire format.

Every rail adapter (Concourse now; check and Zelle later) sends an instruction keyed by the
attempt's end-to-end id and answers status queries by it, returning one of the typed results
below (where the provider calls back is the adapter's own configuration). An adapter never
raises for a provider's answer: whatever happened is a result, so the caller always records
*something* and no attempt is left without a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from services.payouts.domain.model import Payee, Rail
from services.payouts.domain.outcomes import Observation
from shared.money import Money


@dataclass(frozen=True, slots=True)
class CheckIssue:
    """What we, the issuer, decided for a check before printing it: its number in the bank
    account's sequence (never reused) and the day it may be mailed."""

    check_number: int
    send_date: date


@dataclass(frozen=True, slots=True)
class PaymentInstruction:
    end_to_end_id: str
    amount: Money
    payee: Payee
    memo: str | None
    payout_id: str | None = None
    check: CheckIssue | None = None  # set for the check rail only


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """The provider's record of one payment, reduced to what decides our state."""

    end_to_end_id: str
    provider_reference: str | None
    observation: Observation
    # None when the provider's answer does not carry it (J.P. Morgan's status answers and
    # callbacks name the payment by endToEndId only): nothing to compare with the instruction.
    amount: Money | None
    payee_email: str | None = None
    reason: str | None = None
    reason_code: str | None = None  # ISO 20022 (BE23, AM04) or the provider's own (STAL)
    provider_status: str | None = None  # the provider's word, e.g. MAILED for a check


@dataclass(frozen=True, slots=True)
class Accepted:
    """The provider holds the payment (``created`` is False for a repeat of a known id)."""

    payment: ProviderPayment
    created: bool


@dataclass(frozen=True, slots=True)
class Rejected:
    """A definitive refusal: nothing was recorded and resending the same thing cannot help."""

    status_code: int
    reason: str
    reason_code: str | None = None  # the provider's code for the refusal, when it gives one


@dataclass(frozen=True, slots=True)
class NotSent:
    """The request never reached the provider, or was refused before it could act (connection
    refused, 429, 503 on every try): nothing exists there. Sending the same id again later is
    safe, and so is cancelling the payout."""

    reason: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """We cannot tell whether the provider has the payment: resolve by status query."""

    reason: str


@dataclass(frozen=True, slots=True)
class Status:
    payment: ProviderPayment


@dataclass(frozen=True, slots=True)
class NotFound:
    """The provider has never seen this end-to-end id: safe to send it (the same id) again."""

    end_to_end_id: str


SendResult = Accepted | Rejected | NotSent | Unknown
StatusResult = Status | NotFound | Unknown


ActionResult = Status | Rejected | Unknown


class RailAdapter(Protocol):
    @property
    def rail(self) -> Rail: ...

    async def send(self, instruction: PaymentInstruction) -> SendResult: ...

    async def status(self, end_to_end_id: str) -> StatusResult: ...


@runtime_checkable
class RevocableRail(RailAdapter, Protocol):
    """A rail whose payments can be taken back before the payee has the money (checks): void
    before mailing, stop payment after."""

    async def void(self, end_to_end_id: str) -> ActionResult: ...

    async def stop(self, end_to_end_id: str) -> ActionResult: ...


@runtime_checkable
class InvitationRail(RailAdapter, Protocol):
    """A rail that pays by inviting the payee (Concourse): while the invitation is unclaimed
    it can be sent again or the payment cancelled; the provider decides whether it still is."""

    async def resend_invitation(self, end_to_end_id: str) -> ActionResult: ...

    async def cancel(self, end_to_end_id: str) -> ActionResult: ...
