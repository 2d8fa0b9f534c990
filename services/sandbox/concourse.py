"""The J.P. Morgan Concourse stand-in, *modelled* on Global Payments v1 (J.P. Morgan publishes
no Concourse API; docs/providers/concourse-modelled.yaml) at ``/tsapi/v1/concourse``, behind
the same bearer token as the bank's other routes.

``POST /payments`` answers 202 ``paymentInitiationResponse`` and emails the payee an invitation
(INVITED); a repeat of an endToEndId with the same instruction answers the same 202, a
different one a 400. The payee registers after the settle delay and chooses ACH (REGISTERED),
then is paid (COMPLETED); a payee set to ``never_register`` (``PUT /sandbox/payees``) lets the
invitation expire after ``SANDBOX_CONCOURSE_UNCLAIMED_DAYS`` on the sandbox clock
(INVITATION_EXPIRED, NOAS), one set to ``bounce`` bounces it (INVITATION_BOUNCED, BE23): the
payer's fallback pays by check. ``POST /payments/{endToEndId}/invitation`` resends it (the
unclaimed clock restarts) and ``.../cancellation`` cancels it, both only while unclaimed.
Callbacks go to ``<client-url>/status`` in Global Payments' ``{"callbacks": [...]}`` shape.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from shared.problems import ProblemError

from .concourse_schemas import (
    NOT_ALLOWED,
    ConcoursePaymentDetails,
    Payments,
    status_answer,
)
from .gp_answers import (
    Prepared,
    add_status_route,
    fault_answer,
    initiate,
    initiation_answers,
    initiation_body,
    json_answer,
    new_york_today,
)
from .intake import found
from .jpm_schemas import END_TO_END_ID, UNKNOWN_ID, errors
from .payees import ConcourseBehaviour
from .runtime import Sandbox, SandboxDep
from .state import UNCLAIMED_STATUSES, Payment, PaymentStatus, Rail, Step
from .timeline import bounced_concourse_plan, unclaimed_concourse_plan

router = APIRouter(prefix="/tsapi/v1/concourse", tags=["J.P. Morgan Concourse (modelled)"])
# How far ahead an ACH execution date may be asked for (weekends and holidays).
MAX_DAYS_AHEAD = 5

_ACTION_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "`PaymentStatus`: the payment after the action"},
    400: {"description": "`{\"errors\": [Errors]}`: 10009 unknown id, 10008 not unclaimed"},
}
EndToEndIdPath = Annotated[str, Path(alias="endToEndId", pattern=END_TO_END_ID)]


def date_problem(payments: Payments) -> str | None:
    wanted = date.fromisoformat(payments.requested_execution_date)
    today = new_york_today()
    if wanted < today - timedelta(days=1):  # a day's slack: built just before midnight
        return "requestedExecutionDate is in the past"
    if wanted > today + timedelta(days=MAX_DAYS_AHEAD):
        return f"requestedExecutionDate is more than {MAX_DAYS_AHEAD} days ahead"
    return None


def _candidate(payments: Payments, sandbox: Sandbox) -> Payment:
    return Payment(
        end_to_end_id=payments.payment_identifiers.end_to_end_id,
        payment_id=Payment.new_firm_root_id(), amount=payments.payment_amount,
        currency=payments.payment_currency, payee_name=payments.creditor.creditor_name,
        payee_email=payments.email, payee_mobile=None,
        callback_url=sandbox.settings.concourse_client_url.rstrip("/") + "/status",
        memo=payments.memo, created_at=sandbox.clock.now(), rail=Rail.CONCOURSE,
        status=PaymentStatus.INVITED,
    )


async def _invite(sandbox: Sandbox, payment: Payment, at: datetime) -> list[Step]:
    """The invitation goes out at ``at``: what the payee does with it decides the payment's
    life (one who registers does so on the settle timer, with no steps planned)."""
    behaviour = await sandbox.payees.of(payment.payee_email)
    if behaviour.concourse is ConcourseBehaviour.REGISTER:
        return []
    if behaviour.concourse is ConcourseBehaviour.NEVER_REGISTER:
        return unclaimed_concourse_plan(at, sandbox.settings)
    return bounced_concourse_plan(at, sandbox.settings)


@router.post(
    "/payments", status_code=202, summary="Pay a payee by Concourse invitation (modelled)",
    description="Global Payments' `payments` envelope, the payee by email "
    "(`creditorAccount.alternateAccountIdentifier`, schemeName EMAL); 202 "
    "`paymentInitiationResponse`. A repeat of an endToEndId with the same instruction "
    "answers the same 202.",
    responses=initiation_answers("Accepted, the payee invited: `paymentInitiationResponse`"),
    openapi_extra=initiation_body(ConcoursePaymentDetails),
)
async def initiate_payment(request: Request, sandbox: SandboxDep) -> JSONResponse:
    async def prepare(payments: Payments) -> Prepared:
        async def plan(payment: Payment) -> list[Step]:
            return await _invite(sandbox, payment, payment.created_at)

        return _candidate(payments, sandbox), plan

    return await initiate(request, sandbox, ConcoursePaymentDetails.model_validate, date_problem,
                          prepare)


add_status_route(
    router, Rail.CONCOURSE, status_answer,
    description="200 `paymentStatus`: PENDING, INVITED, REGISTERED, COMPLETED, REJECTED, "
    "INVITATION_BOUNCED, INVITATION_EXPIRED, CANCELLED or RETURNED, with `exception[]` when "
    "it failed; an unknown endToEndId is a 400 with errorCode 10009; none a 400 GCA-095.",
)


async def _unclaimed(sandbox: Sandbox, end_to_end_id: str) -> Payment | JSONResponse:
    try:
        payment = await found(sandbox, end_to_end_id, Rail.CONCOURSE, query=False)
    except ProblemError as exc:
        return fault_answer(exc, query=True)
    return payment


def _not_unclaimed(payment: Payment, action: str) -> JSONResponse:
    return json_answer(400, errors(NOT_ALLOWED[0], f"cannot {action}: the payment is "
                             f"{payment.status.value}, not awaiting registration", query=True))


@router.post(
    "/payments/{endToEndId}/invitation", summary="Resend the payee's invitation",
    description="Emails the invitation again and restarts the unclaimed clock; only while "
    "INVITED (else 400 10008). 200 `paymentStatus`.",
    responses=_ACTION_ANSWERS,
)
async def resend_invitation(end_to_end_id: EndToEndIdPath, sandbox: SandboxDep,
                            ) -> JSONResponse:
    payment = await _unclaimed(sandbox, end_to_end_id)
    if isinstance(payment, JSONResponse):
        return payment
    if payment.status not in UNCLAIMED_STATUSES:
        return _not_unclaimed(payment, "resend the invitation")
    if payment.steps:  # expiring or bouncing: the clock starts again from now
        plan = await _invite(sandbox, payment, sandbox.clock.now())
        await sandbox.store.plan(end_to_end_id, plan)
        if plan:
            sandbox.ticker.planned(min(step.at for step in plan))
    return json_answer(200, status_answer(await sandbox.store.get(end_to_end_id) or payment))


@router.post(
    "/payments/{endToEndId}/cancellation", summary="Cancel a payment while it is unclaimed",
    description="CANCELLED while the payee has not registered (a repeat answers the same); "
    "once registered, paid or ended it is a 400 10008. 200 `paymentStatus`.",
    responses=_ACTION_ANSWERS,
)
async def cancel_payment(end_to_end_id: EndToEndIdPath, sandbox: SandboxDep) -> JSONResponse:
    now = sandbox.clock.now()
    payment, changed = await sandbox.store.interrupt(
        end_to_end_id, UNCLAIMED_STATUSES,
        Step(now, PaymentStatus.CANCELLED, "cancelled by the payer while unclaimed"))
    if payment is None:
        return json_answer(400, errors(UNKNOWN_ID[0], UNKNOWN_ID[1], query=True))
    if payment.status is not PaymentStatus.CANCELLED:
        return _not_unclaimed(payment, "cancel")
    if changed:
        sandbox.settler.notify_in_order([payment])
    return json_answer(200, status_answer(payment))
