"""``create_app``: the one place the sandbox is wired together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI

from shared.problems import install_problem_handlers

from . import bank, concourse, control, jpm_payments, lob, notifications, oauth
from .runtime import Sandbox
from .settings import SandboxSettings
from .state import Clock


def create_app(
    settings: SandboxSettings | None = None,
    *,
    callback_client: httpx.AsyncClient | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the sandbox app.

    ``callback_client`` replaces the HTTP client used for callbacks (tests pass one with an
    ``httpx.MockTransport``); ``clock`` replaces the wall clock. The app works without its
    lifespan running (as under ``httpx.ASGITransport``): the client is then created on first use,
    and ``app.state.sandbox.aclose()`` is the caller's to call.
    """
    sandbox = Sandbox(settings or SandboxSettings(), callback_client=callback_client, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sandbox.client()  # the shared callback client, created up front when served for real
        sandbox.ticker.ensure_started()
        try:
            yield
        finally:
            await sandbox.aclose()

    app = FastAPI(
        title="Provider sandbox",
        version="1.0.0",
        description="Dev/test stand-in for J.P. Morgan Concourse, J.P. Morgan Global Payments "
        "v1 (Zelle, ACH at /tsapi/v1) and Lob's check API (/v1/checks) with a modelled bank "
        "(positive pay, stop payments, paid items): payments keyed by endToEndId, "
        "asynchronous settlement with signed callbacks, a clock tests can advance, payee "
        "behaviours, fault injection and a ledger, kept in its own database across restarts. "
        "Never a real provider.",
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    install_problem_handlers(app)
    app.include_router(control.health)
    app.include_router(oauth.router)
    app.include_router(notifications.router, dependencies=[Depends(oauth.require_bearer)])
    # J.P. Morgan's APIs (Concourse, Global Payments, and the bank's positive-pay service,
    # modelled on the same conventions) take a bearer token; Lob takes its API key (basic).
    bearer = [Depends(oauth.require_bearer)]
    app.include_router(concourse.router, dependencies=bearer)
    app.include_router(jpm_payments.router, dependencies=bearer)
    app.include_router(lob.router)
    app.include_router(bank.router, dependencies=bearer)
    app.include_router(control.ledger)
    app.include_router(control.controls)
    app.include_router(__import__("services.sandbox.gateway", fromlist=["router"]).router)
    return app
