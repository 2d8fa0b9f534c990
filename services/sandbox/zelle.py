"""The Zelle disbursement stand-in (J.P. Morgan Global Payments, payment type ZELLE).

Same day only, 0.01-100,000 USD, recipient by email or US mobile. An enrolled recipient is paid
(COMPLETED) after the settle delay, with a name-match score; a recipient who is not enrolled is
REJECTED with ISO reason code BE23. Payments are irrevocable: there is no cancel.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Annotated

from fastapi import APIRouter, Query, Response

from . import errors
from .intake import found, intake
from .rail_schemas import ZellePaymentRequest, ZellePaymentResource
from .runtime import SandboxDep
from .schemas import END_TO_END_ID_PATTERN
from .state import Payment, Rail
from .timeline import zelle_plan

router = APIRouter(prefix="/zelle/v1", tags=["zelle"])


def name_match_score(sent: str, enrolled: str) -> int:
    return round(100 * SequenceMatcher(None, sent.casefold(), enrolled.casefold()).ratio())


@router.post(
    "/payments",
    status_code=201,
    summary="Send a Zelle payment (or query it, if the endToEndId was seen)",
    description="201 PENDING, then COMPLETED (or REJECTED with a reasonCode) the same day, "
    "announced by a signed callback. A repeat is a status query; a conflicting repeat a 409.",
    response_model=ZellePaymentResource,
    responses={
        200: {"model": ZellePaymentResource, "description": "Repeat: the existing payment"},
        **errors.documented(409, 422, 429, 503),
    },
)
async def create_zelle_payment(
    body: ZellePaymentRequest, response: Response, sandbox: SandboxDep
) -> ZellePaymentResource:
    token = str(body.creditor.email) if body.creditor.email else body.creditor.mobile
    behaviour = await sandbox.payees.of(token)
    enrolled_name = behaviour.zelle_registered_name or body.creditor.name
    candidate = Payment(
        end_to_end_id=body.end_to_end_id,
        payment_id=Payment.new_payment_id("ZEL"),
        amount=body.amount,
        currency=body.currency,
        payee_name=body.creditor.name,
        payee_email=str(body.creditor.email or ""),
        payee_mobile=body.creditor.mobile,
        callback_url=body.callback_url,
        memo=body.remittance_information,
        created_at=sandbox.clock.now(),
        rail=Rail.ZELLE,
        name_match_score=(name_match_score(body.creditor.name, enrolled_name)
                          if behaviour.zelle_enrolled else None),
    )

    async def start(payment: Payment) -> None:
        await sandbox.store.plan(payment.end_to_end_id,
                                 zelle_plan(payment.created_at, behaviour, sandbox.settings))
        sandbox.ticker.ensure_started()

    return ZellePaymentResource.of(await intake(sandbox, candidate, response, start))


@router.get(
    "/payments/status",
    summary="Status of a Zelle payment by endToEndId",
    response_model=ZellePaymentResource,
    responses=errors.documented(404, 422),
)
async def zelle_payment_status(
    sandbox: SandboxDep,
    end_to_end_id: Annotated[str, Query(alias="endToEndId", pattern=END_TO_END_ID_PATTERN)],
) -> ZellePaymentResource:
    return ZellePaymentResource.of(await found(sandbox, end_to_end_id, Rail.ZELLE))

