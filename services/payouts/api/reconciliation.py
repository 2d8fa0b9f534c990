"""``GET /v1/reconciliation``: our payouts against the provider ledger, every mismatch."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request

from services.payouts.adapters.ledger import fetch_ledger
from services.payouts.api.deps import Auditor
from services.payouts.api.schemas import ReconciliationReport
from services.payouts.service.context import ServiceContext
from services.payouts.service.reconcile import run_reconciliation
from shared.problems import ProblemError, problem_responses

router = APIRouter(prefix="/v1/reconciliation", tags=["reconciliation"])


@router.get(
    "",
    summary="Reconcile every payout attempt with the provider ledger",
    description="Missing (we hold an acknowledged attempt the provider does not), extra (a "
    "provider payment that is none of ours), amount or payee different, paid on one side "
    "only, and a payout settled twice. `clean` is true when there is none.",
    response_model=ReconciliationReport,
    responses=problem_responses(401, 403, 502),
)
async def reconciliation(request: Request, _: Auditor) -> ReconciliationReport:
    app: ServiceContext = request.app.state.context
    try:
        # Tests put an in-process client to the sandbox here; otherwise a short-lived one.
        client: httpx.AsyncClient | None = getattr(request.app.state, "ledger_client", None)
        report = await run_reconciliation(
            app, lambda: fetch_ledger(app.settings.provider_ledger_url, client,
                                       timeout_s=app.settings.provider_timeout_s))
    except httpx.HTTPError as exc:
        raise ProblemError(502, "ledger-unavailable", "Provider ledger unavailable",
                           f"could not read the provider ledger: {type(exc).__name__}") from exc
    return ReconciliationReport.of(report)
