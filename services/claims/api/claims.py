"""Claims: read them, select the payment option, approve (money-moving) or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.claims.api.deps import (
    Approver,
    ContextDep,
    Customer,
    Id,
    PaymentChooser,
    Reader,
)
from services.claims.api.errors import problems
from services.claims.api.schemas.claims import (
    ApproveIn,
    ClaimOut,
    ClaimSummaryOut,
    PaymentConfirmationIn,
    PaymentSelectionIn,
    RejectIn,
    TimelineEventOut,
)
from services.claims.domain.claim import ClaimStatus
from services.claims.service import approvals, claim_views, payment
from shared import headers
from shared.idempotency import IdempotencyKey

router = APIRouter(prefix="/v1/claims", tags=["claims"])

IdempotencyHeader = Annotated[str, headers.idempotency_key(
    "Unique per intended approval; a repeat returns the first response, a repeat with a "
    "different body is refused (422).", "5b0e2d4c-approve-1")]


@router.get(
    "", summary="List claims",
    description="Support Services' queue (filter by status); a customer sees their own.",
    response_description="Claims, oldest first", responses=problems(),
)
async def list_claims(
    app: ContextDep, viewer: Reader,
    status: Annotated[ClaimStatus | None, Query(examples=["under_review"])] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ClaimSummaryOut]:
    rows = await claim_views.list_claims(app, viewer, status, limit)
    return [ClaimSummaryOut.of(row) for row in rows]


@router.get(
    "/{claim_id}", summary="Read a claim",
    response_description="The claim with its payment option, review and payouts",
    responses=problems(404),
)
async def get_claim(claim_id: Id, app: ContextDep, viewer: Reader) -> ClaimOut:
    return ClaimOut.of_view(await claim_views.get_claim(app, viewer, claim_id))


@router.get(
    "/{claim_id}/timeline", summary="The claim's audit timeline",
    description="Who changed what and when on the claim's job: the claim, its review "
    "exception, notes and the job itself. Payee contact details are masked.",
    response_description="Events, oldest first", responses=problems(404),
)
async def claim_timeline(
    claim_id: Id, app: ContextDep, viewer: Reader
) -> list[TimelineEventOut]:
    rows = await claim_views.claim_timeline(app, viewer, claim_id)
    return [TimelineEventOut.of(row) for row in rows]


@router.post(
    "/{claim_id}/payment-option", summary="Select Payment Option",
    description="While the claim is Under Review with its SS-Claim Credit Review open. "
    "JP Morgan Concourse needs a real email (placeholders such as noemail@... do not count) "
    "and the accepted Terms and Conditions; a check needs a mailing address; Zelle pays a "
    "BYOP service pro only, at most 100,000.00 USD (a larger claim is refused here, 422 "
    "rail-limit-exceeded: choose a check). The customer chooses for themselves; the BYOP team "
    "records a service pro's payment form. `terms_version` must be the current published "
    "version (GET /v1/terms), else 422. A new selection replaces an earlier acceptance.",
    response_description="The claim with its payment details",
    responses=problems(403, 404, 409),
)
async def select_payment_option(
    claim_id: Id, body: PaymentSelectionIn, app: ContextDep, actor: PaymentChooser
) -> ClaimOut:
    view = await payment.select_payment_option(app, actor, claim_id, body.to_command())
    return ClaimOut.of_view(view)


@router.post(
    "/{claim_id}/payment-confirmation", summary="Accept the payment confirmation",
    description="Seed 001, stage 3: once the payment option is selected (by the customer, or "
    "by the BYOP team from a service pro's payment form), the customer accepts the payment "
    "confirmation, the payee, payment method and amount, under the current Terms and "
    "Conditions (GET /v1/terms). Only the customer, for their own claim; a claim is approved "
    "for payment only after it (409 payment-not-confirmed). A customer who selects their own "
    "payment with `accept_terms` has already confirmed it.",
    response_description="The claim, its payment showing who accepted the terms and when",
    responses=problems(403, 404, 409),
)
async def confirm_payment(
    claim_id: Id, body: PaymentConfirmationIn, app: ContextDep, actor: Customer
) -> ClaimOut:
    view = await payment.confirm_payment(app, actor, claim_id, body.terms_version)
    return ClaimOut.of_view(view)


@router.post(
    "/{claim_id}/approve", summary="Approve the claim for payment",
    description="Under Review -> Approved, and the payout is requested from the payouts "
    "service in the same transaction. Only once the customer accepted the payment "
    "confirmation (409 payment-not-confirmed). Not by the claim's creator; above the approval "
    "limit or the per-claim cap only a supervisor, with override; never past the annual aggregate. "
    "Requires an Idempotency-Key.",
    response_model=ClaimOut,
    response_description="The approved claim with its requested payout",
    responses=problems(403, 404, 409),
)
async def approve_claim(
    claim_id: Id, body: ApproveIn, app: ContextDep, actor: Approver,
    idempotency_key: IdempotencyHeader,
) -> JSONResponse:
    idem = IdempotencyKey.of(
        actor.subject, idempotency_key, f"approve {claim_id}", body.model_dump(mode="json")
    )
    rendered = await approvals.approve_claim(
        app, actor, claim_id, override=body.override, note=body.note, idempotency=idem,
        render=ClaimOut.render,
    )
    return JSONResponse(rendered)


@router.post(
    "/{claim_id}/reject", summary="Reject the claim",
    description="Saved or Under Review -> Rejected; its review exception completes.",
    response_description="The rejected claim", responses=problems(403, 404, 409),
)
async def reject_claim(
    claim_id: Id, body: RejectIn, app: ContextDep, actor: Approver
) -> ClaimOut:
    return ClaimOut.of_view(await approvals.reject_claim(app, actor, claim_id, body.reason))
