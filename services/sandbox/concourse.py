"""The J.P. Morgan Concourse stand-in: create a payment, query its status.

The end-to-end id is the idempotency key: a repeat with the same instruction is a status query
and never a second payment, which is what lets the payouts service retry after a timeout.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Response

from shared.logging import mask_email

from . import errors
from .faults import CreateFault
from .runtime import SandboxDep
from .schemas import END_TO_END_ID_PATTERN, PaymentRequest, PaymentResource
from .state import DuplicateEndToEndIdError, Payment

log = logging.getLogger(__name__)

router = APIRouter(prefix="/concourse/v1", tags=["concourse"])


@router.post(
    "/payments",
    status_code=201,
    summary="Create a payment (or query it, if the endToEndId was seen)",
    description="The first call with an endToEndId records the payment (201, PENDING); it "
    "settles asynchronously and a signed callback is POSTed to callbackUrl. A repeat with the "
    "same amount and payee email answers 200 with the existing payment; a repeat with a "
    "different amount or payee is a 409.",
    response_model=PaymentResource,
    response_description="Recorded: the new payment, PENDING",
    responses={
        200: {"model": PaymentResource, "description": "Repeat: the existing payment"},
        **errors.documented(409, 422, 429, 503),
    },
)
async def create_payment(
    body: PaymentRequest, response: Response, sandbox: SandboxDep
) -> PaymentResource:
    fault = await sandbox.faults.take_create_fault()
    if fault is CreateFault.UNAVAILABLE:
        raise errors.provider_unavailable()
    if fault is CreateFault.RATE_LIMITED:
        raise errors.rate_limited()

    candidate = Payment(
        end_to_end_id=body.end_to_end_id,
        payment_id=Payment.new_payment_id(),
        amount=body.amount,
        currency=body.currency,
        payee_name=body.payee.name,
        payee_email=str(body.payee.email),
        payee_mobile=body.payee.mobile,
        callback_url=body.callback_url,
        memo=body.memo,
        created_at=sandbox.clock.now(),
    )
    try:
        payment, created = await sandbox.store.create_or_get(candidate)
    except DuplicateEndToEndIdError as exc:
        raise errors.duplicate_end_to_end_id(exc.existing) from exc

    if not created:
        response.status_code = 200
        return PaymentResource.of(payment)

    log.info(
        "payment %s recorded: %s USD to %s",
        payment.end_to_end_id, payment.amount, mask_email(payment.payee_email),
    )
    sandbox.settler.schedule(payment.end_to_end_id)
    delay_ms = (await sandbox.faults.get()).respond_delay_ms
    if delay_ms:
        # Recorded (and settling) before we stall: the caller that times out here has in fact
        # been paid, and must find that out by querying, not by paying again.
        await asyncio.sleep(delay_ms / 1000)
        payment = await sandbox.store.get(payment.end_to_end_id) or payment
    return PaymentResource.of(payment)


@router.get(
    "/payments/status",
    summary="Status of a payment by endToEndId",
    response_model=PaymentResource,
    responses=errors.documented(404, 422),
)
async def payment_status(
    sandbox: SandboxDep,
    end_to_end_id: Annotated[
        str, Query(alias="endToEndId", pattern=END_TO_END_ID_PATTERN)
    ],
) -> PaymentResource:
    payment = await sandbox.store.get(end_to_end_id)
    if payment is None:
        raise errors.payment_not_found(end_to_end_id)
    return PaymentResource.of(payment)
