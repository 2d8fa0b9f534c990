"""``/v1/payouts/{id}/{approve,reject,cancel,void,stop}``: what payables and ops may do
to a payout, each only where its status and rail allow it (409 otherwise, with the reason)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from services.payouts.api.schemas import (
    ActionRequest,
    PayoutDetail,
    StopRequest,
)
from services.payouts.domain.approvals import SelfApprovalError
from services.payouts.domain.errors import IllegalTransitionError, TransitionRefusedError
from services.payouts.service import operations as ops
from services.payouts.service.context import Deps
from services.payouts.service.queries import get_payout
from shared.auth import Principal, Role
from shared.auth.fastapi import require
from shared.problems import ProblemError, problem_responses

router = APIRouter(prefix="/v1/payouts", tags=["payout actions"])

Approver = Annotated[Principal, Depends(require(Role.PAYABLES))]
Operator = Annotated[Principal, Depends(require(Role.PAYABLES, Role.OPS))]
_RESPONSES = problem_responses(401, 403, 404, 409, 422)
_REVOKE_RESPONSES = problem_responses(401, 403, 404, 409, 422, 503)


async def _run(request: Request, payout_id: uuid.UUID,
               use_case: Callable[[Deps], Awaitable[Any]]) -> PayoutDetail:
    deps: Deps = request.app.state.deps
    try:
        await use_case(deps)
    except ops.PayoutNotFoundError as exc:
        raise ProblemError(404, "payout-not-found", "Payout not found", str(exc)) from exc
    except SelfApprovalError as exc:
        raise ProblemError(403, "self-approval", "Requester cannot approve", str(exc)) from exc
    except (IllegalTransitionError, TransitionRefusedError, ops.ActionRefusedError) as exc:
        raise ProblemError(409, "action-not-allowed", "Not allowed for this payout",
                           str(exc)) from exc
    except ops.ProviderUndecidedError as exc:
        raise ProblemError(503, "provider-undecided", "Provider did not answer",
                           f"{exc}; retry the request (it is idempotent at the provider)",
                           headers={"Retry-After": "5"}) from exc
    view = await get_payout(request.app.state.sessionmaker, payout_id)
    assert view is not None
    return PayoutDetail.of_view(view)


@router.post("/{payout_id}/approve", summary="Approve a payout held for approval",
             description="Payables only, and not the person who requested the payout.",
             response_model=PayoutDetail, responses=_RESPONSES)
async def approve(payout_id: uuid.UUID, body: ActionRequest, request: Request,
                  who: Approver) -> PayoutDetail:
    decision = ops.Decision(who.subject, body.reason)
    return await _run(request, payout_id, lambda d: ops.approve(d, payout_id, decision))


@router.post("/{payout_id}/reject", summary="Reject a payout held for approval (cancels it)",
             description="Payables only, not the requester; announced as payout_cancelled.",
             response_model=PayoutDetail, responses=_RESPONSES)
async def reject(payout_id: uuid.UUID, body: ActionRequest, request: Request,
                 who: Approver) -> PayoutDetail:
    decision = ops.Decision(who.subject, body.reason)
    return await _run(request, payout_id, lambda d: ops.reject(d, payout_id, decision))


@router.post("/{payout_id}/cancel", summary="Cancel a payout no provider holds yet",
             description="Received, held or approved payouts without an attempt in flight. A "
             "check already issued is voided or stopped instead; Zelle is irrevocable.",
             response_model=PayoutDetail, responses=_RESPONSES)
async def cancel(payout_id: uuid.UUID, body: ActionRequest, request: Request,
                 who: Operator) -> PayoutDetail:
    decision = ops.Decision(who.subject, body.reason)
    return await _run(request, payout_id, lambda d: ops.cancel(d, payout_id, decision))


@router.post("/{payout_id}/void", summary="Void the check of a payout before it is mailed",
             description="Asks the check provider; the payout is cancelled once it confirms. "
             "A mailed check is refused (409): stop payment instead.",
             response_model=PayoutDetail, responses=_REVOKE_RESPONSES)
async def void(payout_id: uuid.UUID, body: ActionRequest, request: Request,
               who: Operator) -> PayoutDetail:
    decision = ops.Decision(who.subject, body.reason)
    return await _run(request, payout_id, lambda d: ops.void(d, payout_id, decision))


@router.post("/{payout_id}/stop", summary="Stop payment on a mailed check (and reissue)",
             description="Asks the check provider; once it confirms, the payout is cancelled, "
             "or with `reissue` a new check goes out (a new attempt; the stopped one can never "
             "be cashed). An unmailed check is voided instead (409).",
             response_model=PayoutDetail, responses=_REVOKE_RESPONSES)
async def stop(payout_id: uuid.UUID, body: StopRequest, request: Request,
               who: Operator) -> PayoutDetail:
    decision = ops.Decision(who.subject, body.reason)
    return await _run(request, payout_id,
                      lambda d: ops.stop(d, payout_id, decision, reissue=body.reissue))
