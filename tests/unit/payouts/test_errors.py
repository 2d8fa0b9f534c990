"""Payouts' named errors keep the HTTP answers the payout actions always gave."""

from __future__ import annotations

import pytest

from services.payouts.api.errors import install_error_handlers
from services.payouts.domain import errors
from services.payouts.domain.model import PayoutStatus as S
from services.payouts.domain.transitions import PayoutAction as A
from services.payouts.service.operations import ProviderUndecidedError
from shared.domain.errors import DomainError, IllegalTransition
from shared.domain_problems import STATUS
from tests.bare_app import bare_app, call


@pytest.mark.parametrize(("error", "status", "slug", "title"), [
    (errors.IllegalTransitionError(S.PAID, A.CANCEL), 409, "action-not-allowed",
     "Not allowed for this payout"),
    (errors.AttemptInFlightError(S.APPROVED, A.CANCEL), 409, "action-not-allowed",
     "Not allowed for this payout"),
    (errors.ActionRefusedError("no check is out"), 409, "action-not-allowed",
     "Not allowed for this payout"),
    (errors.SelfApprovalError("ann"), 403, "self-approval", "Requester cannot approve"),
    (errors.PayoutNotFoundError("p-1"), 404, "payout-not-found", "Payout not found"),
    (errors.IdempotencyKeyReusedError("used"), 422, "idempotency-key-reused",
     "Idempotency key used for another request"),
])
def test_each_error_answers_as_before(
    error: DomainError, status: int, slug: str, title: str
) -> None:
    assert (STATUS[error.kind], error.code, error.title) == (status, slug, title)


def test_an_illegal_payout_transition_keeps_its_wording() -> None:
    error = errors.IllegalTransitionError(S.PAID, A.CANCEL)
    assert isinstance(error, IllegalTransition)
    assert error.detail == str(error) == "a payout in status paid cannot cancel"


@pytest.mark.parametrize(("error", "detail"), [
    (errors.PayoutInvalidError(S.RECEIVED, A.APPROVE_AUTOMATICALLY, ("a", "b")),
     "a payout in status received cannot approve_automatically: a; b"),
    (errors.ApprovalNeededError(S.RECEIVED, A.APPROVE_AUTOMATICALLY, ("large",)),
     "a payout in status received cannot approve_automatically: needs approval: large"),
    (errors.NoApprovalRuleError(S.RECEIVED, A.HOLD_FOR_APPROVAL),
     "a payout in status received cannot hold_for_approval: no approval rule applies"),
    (errors.PayoutValidError(S.RECEIVED, A.REJECT_INVALID),
     "a payout in status received cannot reject_invalid: the payout passed validation"),
    (errors.AttemptInFlightError(S.APPROVED, A.CANCEL),
     "a payout in status approved cannot cancel: an attempt is in flight at the provider"),
])
def test_guard_refusals_keep_their_wording(error: DomainError, detail: str) -> None:
    assert isinstance(error, errors.TransitionRefusedError)
    assert error.detail == detail


async def test_an_undecided_provider_is_a_503_to_retry() -> None:
    app = bare_app()
    install_error_handlers(app)

    @app.post("/undecided")
    async def undecided() -> None:
        raise ProviderUndecidedError("the check provider timed out")

    response = await call(app, "POST", "/undecided")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {
        "type": "urn:warranty:problem:provider-undecided", "title": "Provider did not answer",
        "status": 503, "instance": "/undecided",
        "detail": "the check provider timed out; retry the request (it is idempotent at the "
                  "provider)",
    }
