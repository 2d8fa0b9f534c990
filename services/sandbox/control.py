"""Routes that exist only in the sandbox: health, the audit ledger and the test controls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from . import errors
from .faults import FaultConfig
from .payees import PayeeBehaviour
from .runtime import SandboxDep
from .schemas import ClockAdvance, ClockView, Ledger, LedgerEntry, Released, Status
from .state import Rail

health = APIRouter(tags=["health"])
ledger = APIRouter(tags=["ledger"])
controls = APIRouter(prefix="/sandbox", tags=["sandbox controls"])

OK = Status(status="ok")


@health.get("/healthz", summary="Liveness", response_model=Status)
async def healthz() -> Status:
    return OK


@health.get("/readyz", summary="Readiness: the sandbox's database answers",
            response_model=Status, responses=errors.documented(503))
async def readyz(sandbox: SandboxDep) -> Status:
    return OK  # resuming (the dependency) read the clock and the unsettled payments


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
    summary="Forget all payments, bank records, gateway charges, payee behaviours and faults; "
    "cancel pending settlements and callbacks",
    response_model=Status,
)
async def reset(sandbox: SandboxDep) -> Status:
    await sandbox.reset()
    return OK


@controls.put(
    "/payees",
    summary="Set how one payee behaves (Zelle enrolment, Concourse registration, checks)",
    description="Keyed by email, mobile (Zelle, Concourse) or payee name (check), "
    "case-insensitive. Cleared by reset.",
    response_model=PayeeBehaviour,
    responses=errors.documented(422),
)
async def put_payee(behaviour: PayeeBehaviour, sandbox: SandboxDep) -> PayeeBehaviour:
    return await sandbox.payees.set(behaviour)


@controls.get("/payees", summary="Every configured payee behaviour",
              response_model=list[PayeeBehaviour])
async def get_payees(sandbox: SandboxDep) -> list[PayeeBehaviour]:
    return await sandbox.payees.all()


@controls.get("/clock", summary="The sandbox clock", response_model=ClockView)
async def get_clock(sandbox: SandboxDep) -> ClockView:
    return ClockView.of(sandbox.clock)


@controls.post(
    "/clock/advance",
    summary="Move the sandbox clock forward and apply everything now due",
    description="Checks mail, arrive, get cashed or go stale; unclaimed Concourse payments "
    "fall back to a mailed check; each change is called back. Reset puts the clock back.",
    response_model=ClockView,
    responses=errors.documented(422),
)
async def advance_clock(body: ClockAdvance, sandbox: SandboxDep) -> ClockView:
    sandbox.clock.advance(body.delta)
    await sandbox.save_clock()
    await sandbox.ticker.tick()
    return ClockView.of(sandbox.clock)
