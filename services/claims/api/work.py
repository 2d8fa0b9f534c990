"""Service requests, orders (with their options) and jobs (with exceptions and notes)."""

from __future__ import annotations

from fastapi import APIRouter

from services.claims.api.deps import (
    ContextDep,
    Id,
    JobHandler,
    OptionChooser,
    OptionPoster,
    OrderCloser,
    Reader,
    Requester,
    Staff,
)
from services.claims.api.errors import problems
from services.claims.api.schemas.claims import AcceptanceOut, ClaimOut, ServiceOrderOut
from services.claims.api.schemas.work import (
    CancelRequestIn,
    CloseOrderIn,
    JobDetailOut,
    JobTransitionIn,
    NoteIn,
    OptionsIn,
    OrderOut,
    ServiceRequestIn,
    ServiceRequestOut,
)
from services.claims.domain.work import JobAction
from services.claims.service import options, requests, work
from services.claims.service.claim_views import claim_of_order, get_claim

router = APIRouter(prefix="/v1")


@router.post(
    "/service-requests", status_code=201, tags=["service requests"],
    summary="Request service",
    description="One service order, with its first service job, per failing covered item. "
    "The contract must be active. A customer's request comes in by the portal. A network job "
    "is dispatched (`claims.service_job_dispatched`, its fee the trade's deductible); a "
    "built-in or over-the-range standard microwave with model and serial (not Sears Home "
    "Warranty) is auto-replaced instead: its order offers Replacement or the Claim Credit.",
    response_description="The request with its orders and jobs",
    responses=problems(403, 404, 409),
)
async def open_service_request(
    body: ServiceRequestIn, app: ContextDep, actor: Requester
) -> ServiceRequestOut:
    request = await requests.open_service_request(
        app, actor, body.contract_id, body.channel, [item.to_command() for item in body.items]
    )
    return ServiceRequestOut.of(request)


@router.get(
    "/service-requests/{request_id}", tags=["service requests"],
    summary="Read a service request", response_description="The request, orders and jobs",
    responses=problems(404),
)
async def get_service_request(
    request_id: Id, app: ContextDep, viewer: Reader
) -> ServiceRequestOut:
    return ServiceRequestOut.of(await work.get_request(app, viewer, request_id))


@router.post(
    "/service-requests/{request_id}/cancel", tags=["service requests"],
    summary="Cancel a service request",
    description="Closes every open order and cancels its jobs with the reason. Only while no "
    "technician has been out and each job is New or Accepted. Each dispatched job that owed a "
    "service fee emits `claims.service_job_cancelled` in the same transaction: billing voids "
    "the fee invoice its dispatch raised (or, if a payment was already applied to it, keeps it "
    "and says why in `void_refused_reason` until that payment is refunded).",
    response_description="The cancelled request", responses=problems(403, 404, 409),
)
async def cancel_service_request(
    request_id: Id, body: CancelRequestIn, app: ContextDep, actor: Requester
) -> ServiceRequestOut:
    request = await requests.cancel_service_request(app, actor, request_id, body.reason)
    return ServiceRequestOut.of(request)


@router.get(
    "/service-orders/{order_id}", tags=["service orders"],
    summary="Read a service order (See Options)",
    description="With its claim (Claim Credit) and the selected payment details, terms "
    "version and acceptance time.",
    response_description="The order with its options, jobs and claim", responses=problems(404),
)
async def get_service_order(
    order_id: Id, app: ContextDep, viewer: Reader
) -> ServiceOrderOut:
    order = await work.get_order(app, viewer, order_id)
    return ServiceOrderOut.of_order(order, await claim_of_order(app, order))


@router.post(
    "/service-orders/{order_id}/options", status_code=201, tags=["service orders"],
    summary="Post the options for the customer",
    description="Repair, Replacement and/or Claim Credit (with its amount), once per order.",
    response_description="The order with its options", responses=problems(403, 404, 409),
)
async def post_options(
    order_id: Id, body: OptionsIn, app: ContextDep, actor: OptionPoster
) -> OrderOut:
    offers = [option.to_domain() for option in body.options]
    return OrderOut.of(await options.post_options(app, actor, order_id, offers))


@router.post(
    "/service-orders/{order_id}/options/{option_id}/accept", tags=["service orders"],
    summary="Accept an option",
    description="Declines the other options. Accepting the Claim Credit opens its claim "
    "(Under Review) and an SS-Claim Credit Review exception: Select Payment Option becomes "
    "available.",
    response_description="The order and, for a Claim Credit, the new claim",
    responses=problems(403, 404, 409),
)
async def accept_option(
    order_id: Id, option_id: Id, app: ContextDep, actor: OptionChooser
) -> AcceptanceOut:
    accepted = await options.accept_option(app, actor, order_id, option_id)
    claim = None
    if accepted.claim is not None:
        claim = ClaimOut.of_view(await get_claim(app, actor, accepted.claim.id))
    return AcceptanceOut(**dict(OrderOut.of(accepted.order)), claim=claim)


@router.post(
    "/service-orders/{order_id}/close", tags=["service orders"],
    summary="Close a service order",
    description="Cancels its open jobs with the reason; refused while a claim on it is unpaid. "
    "A dispatched job cancelled before any technician went out emits "
    "`claims.service_job_cancelled`: billing voids its service-fee invoice.",
    response_description="The closed order", responses=problems(403, 404, 409),
)
async def close_order(
    order_id: Id, body: CloseOrderIn, app: ContextDep, actor: OrderCloser
) -> OrderOut:
    return OrderOut.of(await work.close_order(app, actor, order_id, body.reason))


@router.get(
    "/service-jobs/{job_id}", tags=["service jobs"],
    summary="Read a service job", response_description="The job, its exceptions and notes",
    responses=problems(404),
)
async def get_job(job_id: Id, app: ContextDep, viewer: Reader) -> JobDetailOut:
    return JobDetailOut.of_view(await work.get_job(app, viewer, job_id))


@router.post(
    "/service-jobs/{job_id}/transitions", tags=["service jobs"],
    summary="Accept, reject, complete or cancel a job; record the technician's visit",
    description="New -> Accepted | Rejected; Accepted -> Completed; New or Accepted -> "
    "Cancelled (a reason is required to reject or cancel); record_visit (Accepted) notes that "
    "the technician has been out. Expiry is the system's. Cancelling a dispatched job before "
    "the visit emits `claims.service_job_cancelled` (billing voids its service-fee invoice).",
    response_description="The job after the transition", responses=problems(403, 404, 409),
)
async def transition_job(
    job_id: Id, body: JobTransitionIn, app: ContextDep, actor: JobHandler
) -> JobDetailOut:
    view = await work.transition_job(app, actor, job_id, JobAction(body.action), body.reason)
    return JobDetailOut.of_view(view)


@router.post(
    "/service-jobs/{job_id}/notes", status_code=201, tags=["service jobs"],
    summary="Append a note to a job", description="Notes are appended, never edited.",
    response_description="The job with its notes", responses=problems(403, 404),
)
async def add_note(job_id: Id, body: NoteIn, app: ContextDep, actor: Staff) -> JobDetailOut:
    return JobDetailOut.of_view(await work.add_note(app, actor, job_id, body.text))
