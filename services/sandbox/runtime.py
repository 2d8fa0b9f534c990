"""The sandbox's live objects, wired once per app and reached by routes through ``app.state``."""
from __future__ import annotations

import asyncio
from typing import Annotated

import httpx
from fastapi import Depends, Request

from shared import http
from shared.db.engine import create_engine

from . import database
from .bank_records import Bank
from .callbacks import CallbackSender
from .faults import FaultInjector
from .oauth import Authority
from .payees import PayeeDirectory
from .settings import SandboxSettings
from .settlement import Settler
from .state import UNCLAIMED_STATUSES, Clock, Payment, Rail
from .store import PaymentStore
from .timeline import Ticker


class Sandbox:
    def __init__(
        self,
        settings: SandboxSettings,
        *,
        callback_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
        self.store = PaymentStore(self.engine)
        self.faults = FaultInjector()
        self.payees = PayeeDirectory(self.engine)
        self.authority = Authority(settings)
        self.bank = Bank(self.engine)
        # An injected client belongs to the caller (tests pass one with a MockTransport); only a
        # client we created is ours to close.
        self._client = callback_client
        self._owns_client = callback_client is None
        self._resumed = False
        self._resuming = asyncio.Lock()
        self.sender = CallbackSender(
            settings.webhook_secret,
            settings.callback_retries,
            settings.callback_backoff_ms / 1000,
            self.client,
        )
        self.settler = Settler(
            self.store, self.faults, self.sender, self.clock, settings.settle_delay_ms / 1000
        )
        self.ticker = Ticker(self.store, self.settler, self.clock, settings.tick_ms / 1000,
                             screen=self.bank.pays)

    def client(self) -> httpx.AsyncClient:
        """The one shared callback client. Created by the lifespan, or on first use when the
        app runs without one (``httpx.ASGITransport`` does not run lifespans)."""
        if self._client is None:
            self._client = http.client(self.settings.callback_timeout_s)
        return self._client

    async def resume(self) -> None:
        """Carry on where the last process stopped, once, before the first request: the clock
        as it was saved, and the Concourse payees due to register on a timer the dead process
        held. A payment's other steps are in the database and the ticker applies them."""
        if self._resumed:
            return
        async with self._resuming:
            if self._resumed:
                return
            await database.load_clock(self.engine, self.clock)
            for end_to_end_id in await self.store.awaiting_settlement():
                self.settler.schedule(end_to_end_id)
            self.ticker.ensure_started()
            self._resumed = True

    def start_life(self, payment: Payment) -> None:
        """A newly recorded payment: its planned steps run on the ticker; a Concourse payee
        who registers does so after the settle delay."""
        if payment.steps:
            self.ticker.planned(payment.steps[0].at)
            self.ticker.ensure_started()
        elif payment.rail is Rail.CONCOURSE and payment.status in UNCLAIMED_STATUSES:
            self.settler.schedule(payment.end_to_end_id)

    async def save_clock(self) -> None:
        await database.save_clock(self.engine, self.clock)

    async def reset(self) -> None:
        await self.settler.cancel_all()
        await database.forget_everything(self.engine)
        self.ticker.forget()
        await self.faults.clear()
        self.clock.freeze(None)
        await self.save_clock()

    async def aclose(self) -> None:
        await self.ticker.stop()
        await self.settler.cancel_all()
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None
        await self.engine.dispose()


async def _sandbox(request: Request) -> Sandbox:
    sandbox = request.app.state.sandbox
    assert isinstance(sandbox, Sandbox)
    await sandbox.resume()
    return sandbox


SandboxDep = Annotated[Sandbox, Depends(_sandbox)]
