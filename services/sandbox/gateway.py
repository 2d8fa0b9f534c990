"""Card/ACH gateway stand-in (dev/test only): tokenize a payment method, charge it, refund it.

The portal's browser tokenizes the card or bank account here, so the billing service only ever
sees a ``pm_`` token. Charges and refunds are keyed by the caller's ``Idempotency-Key``: a repeat
with the same body answers with the first result (200), a repeat with another body is a 409.
A declined charge is a normal answer (``status: declined`` with a reason), not an error.

Test numbers (the only ones that decline; every other valid number is approved):
card ``4000000000000002`` card_declined, ``4000000000009995`` insufficient_funds,
``4000000000000069`` expired_card; bank account ending ``0002`` account_closed.
Payment methods, charges, refunds and the Idempotency-Keys live in the sandbox's database
(``gateway_store``), so a restarted sandbox still knows every token, charge and key, and
``POST /sandbox/reset`` forgets them. Card and account numbers are never stored or logged (only
the last four). The injected outage (``PUT /gateway/v1/sandbox/faults``) is in memory, per app:
a test's control for one process life, which a restart (not a reset) clears.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.money import Amount
from shared.problems import ProblemError, problem_responses

from .gateway_store import (
    Charge,
    ChargeNotFoundError,
    GatewayLedger,
    KeyReusedError,
    LedgerRefusal,
    Method,
    NotRefundableError,
    Refund,
    RefundExceedsChargeError,
    UnknownMethodError,
)
from .runtime import Sandbox

log = logging.getLogger(__name__)
router = APIRouter(prefix="/gateway/v1", tags=["card/ACH gateway"])

DECLINING_CARDS = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
}
DECLINING_ACCOUNT_SUFFIX = {"0002": "account_closed"}
KeyHeader = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=255,
                                  examples=["pay-7f1c-1"])]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CardIn(_In):
    number: str = Field(pattern=r"^\d{13,19}$", examples=["4242424242424242"])
    exp_month: int = Field(ge=1, le=12, examples=[12])
    exp_year: int = Field(ge=2000, le=2100, examples=[2030])
    cvc: str = Field(pattern=r"^\d{3,4}$", examples=["123"])


class BankAccountIn(_In):
    routing_number: str = Field(pattern=r"^\d{9}$", examples=["110000000"])
    account_number: str = Field(pattern=r"^\d{4,17}$", examples=["000123456789"])
    account_type: Literal["checking", "savings"] = "checking"


class PaymentMethodIn(_In):
    type: Literal["card", "ach"]
    card: CardIn | None = None
    bank_account: BankAccountIn | None = None


class PaymentMethodOut(BaseModel):
    token: str = Field(examples=["pm_3f2a9c0d1e4b5a6f"])
    type: Literal["card", "ach"]
    last4: str = Field(examples=["4242"])

    @classmethod
    def of(cls, method: Method) -> PaymentMethodOut:
        return cls(token=method.token, type=method.type, last4=method.last4)


class ChargeIn(_In):
    amount: Amount
    currency: str = Field(default="USD", pattern="^USD$")
    payment_method: str = Field(pattern=r"^pm_[0-9a-f]{16}$", examples=["pm_3f2a9c0d1e4b5a6f"])
    description: str | None = Field(default=None, max_length=200)


class ChargeOut(BaseModel):
    id: str = Field(examples=["ch_5c1d2e3f4a5b6c7d"])
    status: Literal["succeeded", "declined"]
    amount: Amount
    currency: str = "USD"
    payment_method: PaymentMethodOut
    decline_reason: str | None = Field(default=None, examples=["card_declined"])
    refunded: Decimal = Field(default=Decimal("0.00"))
    created_at: datetime

    @classmethod
    def of(cls, charge: Charge) -> ChargeOut:
        return cls(id=charge.id, status=charge.status, amount=charge.amount,
                   currency=charge.currency, payment_method=PaymentMethodOut.of(charge.method),
                   decline_reason=charge.decline_reason, refunded=charge.refunded,
                   created_at=charge.created_at)


class RefundIn(_In):
    amount: Amount


class RefundOut(BaseModel):
    id: str = Field(examples=["re_0a1b2c3d4e5f6a7b"])
    charge_id: str
    amount: Amount
    status: Literal["succeeded"] = "succeeded"
    created_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(id=refund.id, charge_id=refund.charge_id, amount=refund.amount,
                   created_at=refund.created_at)


@dataclass
class _Outage:
    """The injected outage: answer 503 to the next ``fail_next`` new charges."""

    fail_next: int = 0

    def admit(self) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise ProblemError(503, "gateway-unavailable", "Gateway unavailable",
                               "injected fault; nothing was charged")


async def _outage(request: Request) -> _Outage:
    # Per app, created on first use; not the Sandbox's FaultInjector, so a reset keeps it, as
    # it always did.
    outage: _Outage | None = getattr(request.app.state, "gateway_outage", None)
    if outage is None:
        outage = _Outage()
        request.app.state.gateway_outage = outage
    return outage


async def _ledger(request: Request) -> GatewayLedger:
    # The engine only: the gateway needs neither the sandbox clock nor its ticker, so it does
    # not resume the sandbox (SandboxDep) before answering.
    sandbox = request.app.state.sandbox
    assert isinstance(sandbox, Sandbox)
    return GatewayLedger(sandbox.engine)


Outage = Annotated[_Outage, Depends(_outage)]
Ledger = Annotated[GatewayLedger, Depends(_ledger)]
_PROBLEMS: dict[type[LedgerRefusal], tuple[int, str, str]] = {
    KeyReusedError: (409, "idempotency-key-reused", "Idempotency-Key already used"),
    UnknownMethodError: (422, "unknown-payment-method", "Unknown payment method"),
    ChargeNotFoundError: (404, "charge-not-found", "Charge not found"),
    NotRefundableError: (409, "charge-not-refundable", "Charge not refundable"),
    RefundExceedsChargeError: (422, "refund-exceeds-charge", "Refund above the charge"),
}


@contextmanager
def _refusals() -> Iterator[None]:
    """The ledger's refusals as the problem details this API has always answered."""
    try:
        yield
    except LedgerRefusal as exc:
        status, slug, title = _PROBLEMS[type(exc)]
        raise ProblemError(status, slug, title, str(exc)) from exc


def _fingerprint(body: BaseModel, *extra: str) -> str:
    canonical = json.dumps([body.model_dump(mode="json"), *extra], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@router.post(
    "/payment-methods", status_code=201, summary="Tokenize a card or bank account",
    description="Called by the portal's browser, never by the billing service: the number "
    "stays here and the caller gets a token.",
    responses=problem_responses(422),
)
async def tokenize(body: PaymentMethodIn, ledger: Ledger) -> PaymentMethodOut:
    if body.type == "card" and body.card is not None and body.bank_account is None:
        number, reason = body.card.number, DECLINING_CARDS.get(body.card.number)
    elif body.type == "ach" and body.bank_account is not None and body.card is None:
        number = body.bank_account.account_number
        reason = DECLINING_ACCOUNT_SUFFIX.get(number[-4:])
    else:
        raise ProblemError(422, "validation-error", "Request is not valid",
                           "type 'card' needs card, type 'ach' needs bank_account (only)")
    out = PaymentMethodOut.of(await ledger.add_method(body.type, number[-4:], reason))
    log.info("payment method %s tokenized (%s ending %s)", out.token, out.type, out.last4)
    return out


@router.post(
    "/charges", status_code=201, summary="Charge a payment method (keyed by Idempotency-Key)",
    response_description="The charge, succeeded or declined with a reason",
    responses={200: {"model": ChargeOut, "description": "Repeat: the first charge"},
               **problem_responses(409, 422, 503)},
)
async def charge(body: ChargeIn, response: Response, ledger: Ledger, outage: Outage,
                 key: KeyHeader) -> ChargeOut:
    with _refusals():
        found, created = await ledger.charge(
            key, _fingerprint(body), token=body.payment_method, amount=body.amount,
            currency=body.currency, admit=outage.admit)
    result = ChargeOut.of(found)
    if not created:
        response.status_code = 200
        return result
    log.info("charge %s %s: %s USD", result.id, result.status, result.amount)
    return result


@router.get("/charges/{charge_id}", summary="Read a charge", responses=problem_responses(404))
async def get_charge(charge_id: str, ledger: Ledger) -> ChargeOut:
    if (found := await ledger.get_charge(charge_id)) is None:
        raise ProblemError(404, "charge-not-found", "Charge not found", f"no charge {charge_id}")
    return ChargeOut.of(found)


@router.get("/charges", summary="Every charge, oldest first (the gateway's ledger)")
async def list_charges(ledger: Ledger) -> list[ChargeOut]:
    return [ChargeOut.of(c) for c in await ledger.charges()]


@router.post(
    "/charges/{charge_id}/refunds", status_code=201,
    summary="Refund (part of) a succeeded charge (keyed by Idempotency-Key)",
    responses={200: {"model": RefundOut, "description": "Repeat: the first refund"},
               **problem_responses(404, 409, 422)},
)
async def refund(charge_id: str, body: RefundIn, response: Response, ledger: Ledger,
                 key: KeyHeader) -> RefundOut:
    with _refusals():
        made, created = await ledger.refund(key, _fingerprint(body, charge_id),
                                            charge_id=charge_id, amount=body.amount)
    result = RefundOut.of(made)
    if not created:
        response.status_code = 200
        return result
    log.info("refund %s of %s USD on %s", result.id, result.amount, charge_id)
    return result


class GatewayFaults(_In):
    fail_next: int = Field(default=0, ge=0, le=100, description="Answer 503 to the next n charges.")


@router.put("/sandbox/faults", summary="Inject gateway faults (tests)")
async def set_faults(body: GatewayFaults, outage: Outage) -> GatewayFaults:
    outage.fail_next = body.fail_next
    return body
