"""The one place that wires payouts together: settings, database, rails, app and worker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.payouts.adapters.bank_auth import TokenSource
from services.payouts.adapters.provider_http import ProviderClient
from services.payouts.api import actions, callbacks, payouts, reconciliation
from services.payouts.api.errors import install_error_handlers
from services.payouts.consumers.commands import QUEUE, request_payout_handler
from services.payouts.domain.model import Rail
from services.payouts.loops import payout_loops
from services.payouts.rails.jpm_payments.notifications import NotificationKeys
from services.payouts.rails.registry import rail_clients
from services.payouts.service.context import ServiceContext
from services.payouts.settings import CALLBACKS_PREFIX, PayoutsSettings
from shared import http
from shared.clock import adjustable, following
from shared.clock_routes import clock_routes, clock_tags
from shared.db import create_engine, create_sessionmaker
from shared.db.migrate import upgrade_head
from shared.web import api_resources, build_app
from shared.worker import WorkerSpec, run_worker

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def create_app(settings: PayoutsSettings | None = None) -> FastAPI:
    settings = settings or PayoutsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with api_resources(app, settings) as sessions:
            # The API applies callbacks and calls a provider only for an operator's void or
            # stop payment; sending and recovering payments is the worker's.
            bank = bank_token_source(settings)
            clients = rail_clients(settings, bank=bank)
            app.state.context = ServiceContext(sessions, settings, rails=clients)
            app.state.notification_keys = notification_keys(settings, bank)
            async with following(app.state.context.clock, sessions,
                                 enabled=adjustable(settings)):
                yield
            await app.state.notification_keys.aclose()
            await close_rails(clients)

    app = build_app(
        service="payouts",
        title="Payouts API",
        description="Payouts owed by claims, paid exactly once on a rail (JP Morgan Concourse, "
        "Zelle, mailed check), with their status history and provider attempts; approvals, "
        "cancel/void/stop/reissue, the Zelle 24-hour promise, reconciliation against the "
        "provider ledger; signed provider callbacks.",
        lifespan=lifespan,
        signed_paths=(CALLBACKS_PREFIX,),
        routers=[payouts.router, actions.router, reconciliation.router, callbacks.router,
                 *clock_routes(settings, lambda r: r.app.state.context.clock)],
        openapi_tags=[
            {"name": "payouts", "description": "Read payouts, their history and attempts."},
            {"name": "payout actions",
             "description": "Approve, reject, cancel, void, stop and reissue."},
            {"name": "reconciliation",
             "description": "Our payouts against the provider's ledger."},
            {"name": "provider callbacks",
             "description": "Status callbacks from payment providers, signed as each "
             "provider signs them (J.P. Morgan's notification signature, Lob's webhook "
             "signature)."},
            *clock_tags(settings),
        ],
    )
    install_error_handlers(app)
    return app


def bank_token_source(settings: PayoutsSettings) -> TokenSource:
    """The access tokens of our J.P. Morgan client id: one source for all its rails, so they
    share one token and one fetch."""
    client = http.client(settings.provider_timeout_s, settings.bank_tls)
    return TokenSource(settings.bank_credentials(), client,
                       refresh_ahead_s=settings.bank_token_refresh_ahead_s)


def notification_keys(settings: PayoutsSettings, bank: TokenSource) -> NotificationKeys:
    """The bank's published keys that J.P. Morgan's callbacks are verified with, read over the
    bank's mutual TLS with our token."""
    return NotificationKeys(settings.notification_keys_url,
                            http.client(settings.provider_timeout_s, settings.bank_tls),
                            auth=bank)


async def close_rails(clients: dict[Rail, ProviderClient]) -> None:
    sources = {id(c.auth): c.auth for c in clients.values() if c.auth is not None}
    for client in clients.values():
        await client.aclose()
    for source in sources.values():
        await source.aclose()


def worker_spec(app: ServiceContext) -> WorkerSpec:
    return WorkerSpec(
        name="payouts",
        sessionmaker=app.sessions,
        handlers={QUEUE: request_payout_handler(app)},
        loops=payout_loops(app),
    )


async def run_payouts_worker(
    settings: PayoutsSettings | None = None, stop: asyncio.Event | None = None
) -> None:
    settings = settings or PayoutsSettings()
    # Ten kept connections, as many as 5 + 5 overflow allowed, without reconnecting per
    # transaction under load (bench/RESULTS.md: asyncpg connect in the worker's profile).
    engine = create_engine(settings.database_url, pool_size=10, max_overflow=0)
    clients = rail_clients(settings, bank=bank_token_source(settings))
    try:
        app = ServiceContext(create_sessionmaker(engine), settings, rails=clients)
        await run_worker(worker_spec(app), settings, stop)
    finally:
        await close_rails(clients)
        await engine.dispose()


async def migrate(settings: PayoutsSettings | None = None) -> None:
    settings = settings or PayoutsSettings()
    await upgrade_head(MIGRATIONS, settings.database_url)
