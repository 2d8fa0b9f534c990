"""Fault injection: the failures a real provider produces, on demand, so tests can prove that
the payouts service neither loses nor doubles a payment when they happen."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class FaultConfig(BaseModel):
    """The active faults. ``PUT /sandbox/faults`` replaces the whole set (absent = off)."""

    # A misspelt fault name must fail loudly, or a test would silently run without its fault.
    model_config = ConfigDict(extra="forbid")

    fail_next: int = Field(
        default=0,
        ge=0,
        le=10_000,
        description="The next N create calls answer 503 without recording a payment.",
    )
    rate_limit_next: int = Field(
        default=0,
        ge=0,
        le=10_000,
        description="The next N create calls answer 429 (Retry-After: 1) without recording.",
    )
    fail_status_next: int = Field(
        default=0,
        ge=0,
        le=10_000,
        description="The next N status queries answer 503 (a provider too slow or down to say "
        "what happened: the caller's attempt stays unknown).",
    )
    respond_delay_ms: int = Field(
        default=0,
        ge=0,
        le=120_000,
        description="A create call that records a new payment waits this long before answering: "
        "the payment exists although the caller may time out (a timeout after success).",
    )
    respond_delay_next: int | None = Field(
        default=None,
        ge=0,
        le=10_000,
        description="Only the next N create calls that record a new payment wait "
        "respond_delay_ms (absent: every one does while respond_delay_ms is set).",
    )
    drop_callbacks: bool = Field(default=False, description="Never send callbacks.")
    duplicate_callbacks: bool = Field(
        default=False, description="Deliver every callback twice (same eventId)."
    )
    reorder_callbacks: bool = Field(
        default=False,
        description="Deliver the callbacks of one payment's status changes newest first.",
    )
    hold_settlement: bool = Field(
        default=False,
        description="Payments stay PENDING after the settle delay until POST /sandbox/release.",
    )


class CreateFault(StrEnum):
    UNAVAILABLE = "unavailable"
    RATE_LIMITED = "rate_limited"


class FaultInjector:
    """Holds the active faults; counters are consumed atomically under a lock so N concurrent
    calls with ``fail_next=1`` produce exactly one failure."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._config = FaultConfig()

    async def get(self) -> FaultConfig:
        async with self._lock:
            return self._config.model_copy()

    async def set(self, config: FaultConfig) -> FaultConfig:
        async with self._lock:
            self._config = config.model_copy()
            return self._config.model_copy()

    async def clear(self) -> FaultConfig:
        return await self.set(FaultConfig())

    async def take_status_fault(self) -> bool:
        async with self._lock:
            if self._config.fail_status_next > 0:
                self._config.fail_status_next -= 1
                return True
            return False

    async def take_response_delay_ms(self) -> int:
        """How long this newly recorded payment's answer waits, consuming a counted delay."""
        async with self._lock:
            delay, counted = self._config.respond_delay_ms, self._config.respond_delay_next
            if counted is None:
                return delay
            if counted == 0:
                return 0
            self._config.respond_delay_next = counted - 1
            return delay

    async def take_create_fault(self) -> CreateFault | None:
        """The fault this create call suffers, if any, consuming one from its counter."""
        async with self._lock:
            if self._config.fail_next > 0:
                self._config.fail_next -= 1
                return CreateFault.UNAVAILABLE
            if self._config.rate_limit_next > 0:
                self._config.rate_limit_next -= 1
                return CreateFault.RATE_LIMITED
            return None
