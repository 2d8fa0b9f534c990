"""The J.P. Morgan Concourse stand-in: create a payment, query its status.

The end-to-end id is the idempotency key: a repeat with the same instruction is a status query
and never a second payment, which is what lets the payouts service retry after a timeout. The
payee gets an email, registers and is paid by ACH after the settle delay; a payee who never
registers (``PUT /sandbox/payees`` with ``concourse: never_register``) is paid by a mailed check
after ``SANDBOX_CONCOURSE_UNCLAIMED_DAYS`` on the sandbox clock.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from . import errors
from .intake import found, intake
from .payees import ConcourseBehaviour
from .runtime import SandboxDep
from .schemas import END_TO_END_ID_PATTERN, PaymentRequest, PaymentResource
from .state import Payment, Rail
from .timeline import unclaimed_concourse_plan

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
        rail=Rail.CONCOURSE,
    )

    async def start(payment: Payment) -> None:
        behaviour = await sandbox.payees.of(payment.payee_email)
        if behaviour.concourse is ConcourseBehaviour.NEVER_REGISTER:
            plan = unclaimed_concourse_plan(payment.created_at, sandbox.settings)
            await sandbox.store.plan(payment.end_to_end_id, plan)
            sandbox.ticker.ensure_started()
        else:
            sandbox.settler.schedule(payment.end_to_end_id)

    return PaymentResource.of(await intake(sandbox, candidate, response, start))


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
    return PaymentResource.of(await found(sandbox, end_to_end_id, Rail.CONCOURSE))
