"""The sandbox's live objects, wired once per app and reached by routes through ``app.state``."""
from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from shared import http

from .bank_records import Bank
from .callbacks import CallbackSender
from .faults import FaultInjector
from .oauth import Authority
from .payees import PayeeDirectory
from .settings import SandboxSettings
from .settlement import Settler
from .state import Clock, PaymentStore
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
        self.store = PaymentStore()
        self.faults = FaultInjector()
        self.payees = PayeeDirectory()
        self.authority = Authority(settings)
        self.bank = Bank()
        # An injected client belongs to the caller (tests pass one with a MockTransport); only a
        # client we created is ours to close.
        self._client = callback_client
        self._owns_client = callback_client is None
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

    async def reset(self) -> None:
        await self.settler.cancel_all()
        await self.store.clear()
        await self.faults.clear()
        await self.payees.clear()
        self.bank.clear()
        self.clock.freeze(None)

    async def aclose(self) -> None:
        await self.ticker.stop()
        await self.settler.cancel_all()
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None


async def _sandbox(request: Request) -> Sandbox:
    sandbox = request.app.state.sandbox
    assert isinstance(sandbox, Sandbox)
    return sandbox


SandboxDep = Annotated[Sandbox, Depends(_sandbox)]
