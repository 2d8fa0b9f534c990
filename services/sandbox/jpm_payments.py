"""J.P. Morgan Global Payments v1 stand-in at the bank's own paths (``/tsapi/v1``): Zelle
(creditorAccount.accountType ZELLE, recipient by email or US mobile) and ACH (paymentType
ACH.TRF). Pointing payouts at the bank's test environment changes its base URL only.

``POST /payments`` answers 202 ``paymentInitiationResponse``; a repeat of an endToEndId with
the same instruction answers the same 202 (the status query tells where it is); a different
instruction under a known id is a 400. Zelle completes the same day after the settle delay, or
is REJECTED with ``exception[]`` (BE23: recipient not enrolled). An ACH item dated in the future
is WAREHOUSED until its date. Callbacks go to ``<client-url>/status`` in the spec's shape.
Requests are validated strictly; errors use the spec's envelopes, never problem+json.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .gp_answers import (
    NEW_YORK,
    Prepared,
    add_status_route,
    initiate,
    initiation_answers,
    initiation_body,
    new_york_today,
)
from .jpm_schemas import (
    PaymentInitationDetails,
    Payments,
    status_answer,
)
from .payees import PayeeBehaviour
from .runtime import Sandbox, SandboxDep
from .settings import SandboxSettings
from .state import Payment, PaymentStatus, Rail, Step

router = APIRouter(prefix="/tsapi/v1", tags=["J.P. Morgan Global Payments"])
S = PaymentStatus

def date_problem(payments: Payments) -> str | None:
    wanted = date.fromisoformat(payments.requested_execution_date)
    today = new_york_today()
    # A day's slack backwards: a payment built just before midnight in New York.
    if wanted < today - timedelta(days=1):
        return "requestedExecutionDate is in the past"
    if payments.is_zelle and wanted > today:
        return "a Zelle payment is same day only"
    return None


def zelle_plan(created: datetime, behaviour: PayeeBehaviour,
               settings: SandboxSettings) -> list[Step]:
    """Same day: completed (or rejected with an ISO reason code) after the settle delay."""
    at = created + timedelta(milliseconds=settings.settle_delay_ms)
    if not behaviour.zelle_enrolled:
        return [Step(at, S.REJECTED, "recipient is not enrolled in Zelle", reason_code="BE23")]
    if behaviour.zelle_reject_code:
        return [Step(at, S.REJECTED, "rejected by the recipient's bank",
                     reason_code=behaviour.zelle_reject_code)]
    return [Step(at, S.COMPLETED, method="ZELLE")]


def ach_plan(created: datetime, execution: date, settings: SandboxSettings) -> list[Step]:
    """Warehoused until its execution date (sandbox clock), then pending, then completed."""
    at = created + timedelta(milliseconds=settings.settle_delay_ms)
    steps = []
    due = datetime.combine(execution, datetime.min.time(), tzinfo=NEW_YORK)
    if due > created:
        steps.append(Step(due, S.PENDING))
        at = due + timedelta(milliseconds=settings.settle_delay_ms)
    return [*steps, Step(at, S.COMPLETED, method="ACH")]


def _candidate(payments: Payments, sandbox: Sandbox, future: bool) -> Payment:
    token = payments.recipient
    return Payment(
        end_to_end_id=payments.payment_identifiers.end_to_end_id,
        payment_id=Payment.new_firm_root_id(), amount=payments.payment_amount,
        currency=payments.payment_currency, payee_name=payments.creditor.creditor_name,
        payee_email=token if "@" in token else "",
        payee_mobile=token if payments.is_zelle and "@" not in token else None,
        callback_url=sandbox.settings.jpm_client_url.rstrip("/") + "/status",
        memo=payments.memo, created_at=sandbox.clock.now(), rail=Rail.ZELLE,
        status=S.WAREHOUSED if future else S.PENDING,
        method=None if payments.is_zelle else "ACH",
    )


@router.post(
    "/payments", status_code=202, summary="Payments Initiation API (Zelle, ACH)",
    description="The spec's `PaymentInitationDetails`; 202 `paymentInitiationResponse`. "
    "A repeat of an endToEndId with the same instruction answers the same 202.",
    responses=initiation_answers("Accepted for processing: `paymentInitiationResponse`"),
    openapi_extra=initiation_body(PaymentInitationDetails),
)
async def initiate_payment(request: Request, sandbox: SandboxDep) -> JSONResponse:
    async def prepare(payments: Payments) -> Prepared:
        execution = date.fromisoformat(payments.requested_execution_date)
        behaviour = await sandbox.payees.of(payments.recipient)

        async def plan(payment: Payment) -> list[Step]:
            return (zelle_plan(payment.created_at, behaviour, sandbox.settings)
                    if payments.is_zelle
                    else ach_plan(payment.created_at, execution, sandbox.settings))

        return _candidate(payments, sandbox, execution > new_york_today()), plan

    return await initiate(request, sandbox, PaymentInitationDetails.model_validate, date_problem,
                          prepare)


add_status_route(
    router, Rail.ZELLE, status_answer,
    description="200 `paymentStatus` (`status`, `exception[]` when rejected); an unknown "
    "endToEndId is a 400 with errorCode 10009; no id a 400 GCA-095.",
)
