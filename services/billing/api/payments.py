"""Portal payments: pay (idempotent), read the confirmation and the history, refund."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.billing.api.deps import ContextDep, Payer, Reader, Refunder
from services.billing.api.errors import problems
from services.billing.api.schemas import PaymentIn, PaymentOut, RefundIn
from services.billing.service import payment_queries, payments, refunds
from services.billing.service.idempotency import IdempotencyKey
from shared import headers

router = APIRouter(prefix="/v1", tags=["payments"])

IdempotencyHeader = Annotated[str, headers.idempotency_key(
    "Unique per intended payment; a repeat returns the first confirmation, a repeat with a "
    "different body is refused (422).", "portal-pay-5b0e2d4c")]


@router.post(
    "/accounts/{account_id}/payments", status_code=201, summary="Pay invoices from the portal",
    description="A company contact with portal access pays with a payment method token from "
    "the gateway. The amount is applied to the oldest open invoices first (invoice date, then "
    "number), the last one possibly in part; more than the payable balance is refused (422). "
    "A declined charge (402) applies nothing. Requires an Idempotency-Key.",
    response_model=PaymentOut, response_description="The payment confirmation",
    responses=problems(402, 403, 404, 503),
)
async def pay(
    account_id: uuid.UUID, body: PaymentIn, app: ContextDep, payer: Payer,
    idempotency_key: IdempotencyHeader,
) -> JSONResponse:
    idem = IdempotencyKey.of(payer.subject, idempotency_key, f"pay {account_id}",
                             body.model_dump(mode="json"))
    rendered = await payments.pay(app, payer, account_id, body.to_command(), idem,
                                  PaymentOut.render)
    return JSONResponse(rendered, status_code=201)


@router.get(
    "/accounts/{account_id}/payments", summary="Payment history",
    response_description="Payments, newest first, with their allocations",
    responses=problems(403, 404),
)
async def history(
    account_id: uuid.UUID, app: ContextDep, viewer: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[PaymentOut]:
    views = await payment_queries.history(app, viewer, account_id, limit)
    return [PaymentOut.of(view) for view in views]


@router.get(
    "/payments/{payment_id}", summary="A payment's confirmation",
    response_description="Each invoice paid, the amount applied and what remains open",
    responses=problems(403, 404),
)
async def get_payment(payment_id: uuid.UUID, app: ContextDep, viewer: Reader) -> PaymentOut:
    return PaymentOut.of(await payment_queries.get_payment(app, viewer, payment_id))


@router.post(
    "/payments/{payment_id}/refund", summary="Refund a payment",
    description="Refunds the whole charge through the gateway and reverses exactly the "
    "payment's allocations: every invoice it paid is reopened by the amount applied to it. "
    "Takes an Idempotency-Key: a retry returns the first answer.",
    response_description="The refunded payment with its reversals",
    response_model=PaymentOut, responses=problems(403, 404, 409, 503),
)
async def refund(
    payment_id: uuid.UUID, body: RefundIn, app: ContextDep, actor: Refunder,
    idempotency_key: Annotated[str | None, headers.idempotency_key(
        "Unique per intended refund; a repeat returns the first answer (without a key, a "
        "repeat is a 409), the same key with another body is refused (422).",
        "refund-5b0e2d4c")] = None,
) -> JSONResponse:
    idem = None if idempotency_key is None else IdempotencyKey.of(
        actor.subject, idempotency_key, f"refund {payment_id}", body.model_dump(mode="json"))
    rendered = await refunds.refund_payment(app, actor, payment_id, body.reason,
                                            render=PaymentOut.render, idempotency=idem)
    return JSONResponse(rendered)
