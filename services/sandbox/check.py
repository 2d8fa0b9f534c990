"""The print-and-mail check stand-in (Lob-like), on the sandbox clock.

created -> mailed (send date) -> in transit -> delivered -> cashed; or returned to sender; or,
never cashed, stopped by the bank as stale after ``SANDBOX_CHECK_STALE_DAYS``. A check can be
voided only before it is mailed; after that only a stop payment helps, and a cashed check can be
neither. Each status change is announced by a signed callback.
"""

from __future__ import annotations

import itertools
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from . import errors
from .intake import found, intake
from .rail_schemas import CheckRequest, CheckResource
from .runtime import Sandbox, SandboxDep
from .schemas import END_TO_END_ID_PATTERN
from .state import Payment, PaymentStatus, Rail, Step
from .timeline import check_plan

router = APIRouter(prefix="/check/v1", tags=["check"])

S = PaymentStatus
VOIDABLE = frozenset({S.CREATED})
STOPPABLE = frozenset({S.MAILED, S.IN_TRANSIT, S.DELIVERED})
_check_numbers = itertools.count(100001)

EndToEndId = Annotated[str, Path(pattern=END_TO_END_ID_PATTERN)]


@router.post(
    "/checks",
    status_code=201,
    summary="Issue a check (or query it, if the endToEndId was seen)",
    description="201 CREATED with a check number; mailed on the send date. A repeat is a "
    "status query; a conflicting repeat a 409. Up to 999,999.99 USD, memo up to 40 characters.",
    response_model=CheckResource,
    responses={
        200: {"model": CheckResource, "description": "Repeat: the existing check"},
        **errors.documented(409, 422, 429, 503),
    },
)
async def create_check(body: CheckRequest, response: Response,
                       sandbox: SandboxDep) -> CheckResource:
    candidate = Payment(
        end_to_end_id=body.end_to_end_id,
        payment_id=Payment.new_payment_id("CHK"),
        amount=body.amount,
        currency=body.currency,
        payee_name=body.payee.name,
        payee_email="",
        payee_mobile=None,
        callback_url=body.callback_url,
        memo=body.memo,
        created_at=sandbox.clock.now(),
        status=S.CREATED,
        rail=Rail.CHECK,
        payee_address=body.payee.address.model_dump(),
        check_number=next(_check_numbers),
    )

    async def start(payment: Payment) -> None:
        behaviour = await sandbox.payees.of(payment.payee_name)
        await sandbox.store.plan(payment.end_to_end_id,
                                 check_plan(payment.created_at, behaviour, sandbox.settings))
        sandbox.ticker.ensure_started()

    return CheckResource.of(await intake(sandbox, candidate, response, start))


@router.get(
    "/checks/status",
    summary="Status of a check by endToEndId",
    response_model=CheckResource,
    responses=errors.documented(404, 422),
)
async def check_status(
    sandbox: SandboxDep,
    end_to_end_id: Annotated[str, Query(alias="endToEndId", pattern=END_TO_END_ID_PATTERN)],
) -> CheckResource:
    return CheckResource.of(await found(sandbox, end_to_end_id, Rail.CHECK))


async def _interrupt(sandbox: Sandbox, end_to_end_id: str, allowed: frozenset[S], to: S,
                     action: str, hint: str) -> CheckResource:
    await found(sandbox, end_to_end_id, Rail.CHECK, query=False)
    step = Step(sandbox.clock.now(), to, f"{action} at the payer's request")
    payment, changed = await sandbox.store.interrupt(end_to_end_id, allowed, step)
    assert payment is not None
    if payment.status is not to:
        raise errors.check_state_conflict(payment, action, hint)
    if changed:
        sandbox.settler.notify_in_order([payment])
    return CheckResource.of(payment)


@router.post(
    "/checks/{end_to_end_id}/void",
    summary="Void a check before it is mailed",
    description="Only a CREATED check can be voided (idempotent); once mailed, 409: place a "
    "stop payment instead.",
    response_model=CheckResource,
    responses=errors.documented(404, 409, 422),
)
async def void_check(end_to_end_id: EndToEndId, sandbox: SandboxDep) -> CheckResource:
    return await _interrupt(sandbox, end_to_end_id, VOIDABLE, S.VOIDED, "void",
                            "a mailed check needs a stop payment")


@router.post(
    "/checks/{end_to_end_id}/stop",
    summary="Stop payment on a mailed check",
    description="Only a mailed, uncashed check can be stopped (idempotent); before mailing, "
    "409: void it instead; a cashed or returned check, 409.",
    response_model=CheckResource,
    responses=errors.documented(404, 409, 422),
)
async def stop_check(end_to_end_id: EndToEndId, sandbox: SandboxDep) -> CheckResource:
    return await _interrupt(sandbox, end_to_end_id, STOPPABLE, S.STOPPED, "stop payment",
                            "an unmailed check is voided; a cashed or returned one is final")
