"""Card/ACH gateway stand-in (dev/test only): tokenize a payment method, charge it, refund it.

The portal's browser tokenizes the card or bank account here, so the billing service only ever
sees a ``pm_`` token. Charges and refunds are keyed by the caller's ``Idempotency-Key``: a repeat
with the same body answers with the first result (200), a repeat with another body is a 409.
A declined charge is a normal answer (``status: declined`` with a reason), not an error.

Test numbers (the only ones that decline; every other valid number is approved):
card ``4000000000000002`` card_declined, ``4000000000009995`` insufficient_funds,
``4000000000000069`` expired_card; bank account ending ``0002`` account_closed.
State is in memory, per app; card numbers are never stored or logged (only the last four).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from shared.money import Amount
from shared.problems import ProblemError, problem_responses

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


class RefundIn(_In):
    amount: Amount


class RefundOut(BaseModel):
    id: str = Field(examples=["re_0a1b2c3d4e5f6a7b"])
    charge_id: str
    amount: Amount
    status: Literal["succeeded"] = "succeeded"
    created_at: datetime


@dataclass
class _Method:
    out: PaymentMethodOut
    decline_reason: str | None


@dataclass
class GatewayState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    methods: dict[str, _Method] = field(default_factory=dict)
    charges: dict[str, ChargeOut] = field(default_factory=dict)
    refunds: dict[str, RefundOut] = field(default_factory=dict)
    # (operation, Idempotency-Key) -> (body fingerprint, id of what it created)
    keys: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    fail_next: int = 0


async def _state(request: Request) -> GatewayState:
    # The gateway keeps its own state on the app, created on first use (one per app instance).
    state: GatewayState | None = getattr(request.app.state, "card_gateway", None)
    if state is None:
        state = GatewayState()
        request.app.state.card_gateway = state
    return state


State = Annotated[GatewayState, Depends(_state)]


def _fingerprint(body: BaseModel, *extra: str) -> str:
    canonical = json.dumps([body.model_dump(mode="json"), *extra], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def _reused(key: str) -> ProblemError:
    return ProblemError(409, "idempotency-key-reused", "Idempotency-Key already used",
                        f"key {key} was used with a different request")


@router.post(
    "/payment-methods", status_code=201, summary="Tokenize a card or bank account",
    description="Called by the portal's browser, never by the billing service: the number "
    "stays here and the caller gets a token.",
    responses=problem_responses(422),
)
async def tokenize(body: PaymentMethodIn, state: State) -> PaymentMethodOut:
    if body.type == "card" and body.card is not None and body.bank_account is None:
        number, reason = body.card.number, DECLINING_CARDS.get(body.card.number)
    elif body.type == "ach" and body.bank_account is not None and body.card is None:
        number = body.bank_account.account_number
        reason = DECLINING_ACCOUNT_SUFFIX.get(number[-4:])
    else:
        raise ProblemError(422, "validation-error", "Request is not valid",
                           "type 'card' needs card, type 'ach' needs bank_account (only)")
    out = PaymentMethodOut(token=_new_id("pm"), type=body.type, last4=number[-4:])
    async with state.lock:
        state.methods[out.token] = _Method(out, reason)
    log.info("payment method %s tokenized (%s ending %s)", out.token, out.type, out.last4)
    return out


@router.post(
    "/charges", status_code=201, summary="Charge a payment method (keyed by Idempotency-Key)",
    response_description="The charge, succeeded or declined with a reason",
    responses={200: {"model": ChargeOut, "description": "Repeat: the first charge"},
               **problem_responses(409, 422, 503)},
)
async def charge(body: ChargeIn, response: Response, state: State, key: KeyHeader) -> ChargeOut:
    fingerprint = _fingerprint(body)
    async with state.lock:
        if (seen := state.keys.get(("charge", key))) is not None:
            if seen[0] != fingerprint:
                raise _reused(key)
            response.status_code = 200
            return state.charges[seen[1]]
        if state.fail_next > 0:
            state.fail_next -= 1
            raise ProblemError(503, "gateway-unavailable", "Gateway unavailable",
                               "injected fault; nothing was charged")
        method = state.methods.get(body.payment_method)
        if method is None:
            raise ProblemError(422, "unknown-payment-method", "Unknown payment method",
                               f"no payment method {body.payment_method}")
        result = ChargeOut(
            id=_new_id("ch"), status="declined" if method.decline_reason else "succeeded",
            amount=body.amount, payment_method=method.out, decline_reason=method.decline_reason,
            created_at=datetime.now(UTC),
        )
        state.charges[result.id] = result
        state.keys[("charge", key)] = (fingerprint, result.id)
    log.info("charge %s %s: %s USD", result.id, result.status, result.amount)
    return result


@router.get("/charges/{charge_id}", summary="Read a charge", responses=problem_responses(404))
async def get_charge(charge_id: str, state: State) -> ChargeOut:
    if (found := state.charges.get(charge_id)) is None:
        raise ProblemError(404, "charge-not-found", "Charge not found", f"no charge {charge_id}")
    return found


@router.get("/charges", summary="Every charge, oldest first (the gateway's ledger)")
async def list_charges(state: State) -> list[ChargeOut]:
    return list(state.charges.values())


@router.post(
    "/charges/{charge_id}/refunds", status_code=201,
    summary="Refund (part of) a succeeded charge (keyed by Idempotency-Key)",
    responses={200: {"model": RefundOut, "description": "Repeat: the first refund"},
               **problem_responses(404, 409, 422)},
)
async def refund(charge_id: str, body: RefundIn, response: Response, state: State,
                 key: KeyHeader) -> RefundOut:
    fingerprint = _fingerprint(body, charge_id)
    async with state.lock:
        if (seen := state.keys.get(("refund", key))) is not None:
            if seen[0] != fingerprint:
                raise _reused(key)
            response.status_code = 200
            return state.refunds[seen[1]]
        found = await get_charge(charge_id, state)
        if found.status != "succeeded":
            raise ProblemError(409, "charge-not-refundable", "Charge not refundable",
                               f"charge {charge_id} was {found.status}")
        if found.refunded + body.amount > found.amount:
            raise ProblemError(422, "refund-exceeds-charge", "Refund above the charge",
                               f"{found.amount - found.refunded:.2f} is left to refund")
        result = RefundOut(id=_new_id("re"), charge_id=charge_id, amount=body.amount,
                           created_at=datetime.now(UTC))
        state.charges[charge_id] = found.model_copy(
            update={"refunded": found.refunded + body.amount})
        state.refunds[result.id] = result
        state.keys[("refund", key)] = (fingerprint, result.id)
    log.info("refund %s of %s USD on %s", result.id, result.amount, charge_id)
    return result


class GatewayFaults(_In):
    fail_next: int = Field(default=0, ge=0, le=100, description="Answer 503 to the next n charges.")


@router.put("/sandbox/faults", summary="Inject gateway faults (tests)")
async def set_faults(body: GatewayFaults, state: State) -> GatewayFaults:
    state.fail_next = body.fail_next
    return body
