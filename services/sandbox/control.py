"""Routes that exist only in the sandbox: health, the audit ledger and the test controls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from . import errors
from .faults import FaultConfig
from .runtime import SandboxDep
from .schemas import Ledger, LedgerEntry, Released, Status
from .state import Rail

health = APIRouter(tags=["health"])
ledger = APIRouter(tags=["ledger"])
controls = APIRouter(prefix="/sandbox", tags=["sandbox controls"])

OK = Status(status="ok")


@health.get("/healthz", summary="Liveness", response_model=Status)
async def healthz() -> Status:
    return OK


@health.get("/readyz", summary="Readiness (in memory: ready as soon as it runs)",
            response_model=Status)
async def readyz() -> Status:
    return OK


@ledger.get(
    "/ledger",
    summary="Every payment ever created, in creation order",
    description="The money the sandbox was asked to move, for tests to audit (none lost, none "
    "paid twice). Includes PENDING payments.",
    response_model=Ledger,
    responses=errors.documented(422),
)
async def get_ledger(
    sandbox: SandboxDep, rail: Annotated[Rail | None, Query()] = None
) -> Ledger:
    payments = await sandbox.store.all(rail)
    return Ledger(payments=[LedgerEntry.of(p) for p in payments])


@controls.get("/faults", summary="The active faults", response_model=FaultConfig)
async def get_faults(sandbox: SandboxDep) -> FaultConfig:
    return await sandbox.faults.get()


@controls.put(
    "/faults",
    summary="Replace the active faults (absent fields are off)",
    response_model=FaultConfig,
    responses=errors.documented(422),
)
async def put_faults(config: FaultConfig, sandbox: SandboxDep) -> FaultConfig:
    return await sandbox.faults.set(config)


@controls.delete("/faults", summary="Turn every fault off", response_model=FaultConfig)
async def delete_faults(sandbox: SandboxDep) -> FaultConfig:
    return await sandbox.faults.clear()


@controls.post(
    "/release",
    summary="Settle every PENDING payment now (held ones included)",
    response_model=Released,
)
async def release(sandbox: SandboxDep) -> Released:
    completed = await sandbox.settler.release()
    return Released(released=[p.end_to_end_id for p in completed])


@controls.post(
    "/reset",
    summary="Forget all payments and faults; cancel pending settlements and callbacks",
    response_model=Status,
)
async def reset(sandbox: SandboxDep) -> Status:
    await sandbox.reset()
    return OK
