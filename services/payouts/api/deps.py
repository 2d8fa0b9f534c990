"""FastAPI dependencies: the use-case context and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.payouts.service.context import ServiceContext
from shared.auth import Principal, Role
from shared.auth.fastapi import require


async def _context(request: Request) -> ServiceContext:
    # async: FastAPI runs a plain def dependency in a thread pool, a thread hop per request.
    return request.app.state.context  # type: ignore[no-any-return]


ContextDep = Annotated[ServiceContext, Depends(_context)]

# Reading payouts: the money teams, and the services that owe them.
Reader = Annotated[
    Principal, Depends(require(Role.PAYABLES, Role.OPS, Role.SUPPORT_SERVICES, Role.SERVICE))
]
Approver = Annotated[Principal, Depends(require(Role.PAYABLES))]
Operator = Annotated[Principal, Depends(require(Role.PAYABLES, Role.OPS))]
Auditor = Annotated[Principal, Depends(require(Role.PAYABLES, Role.OPS))]
