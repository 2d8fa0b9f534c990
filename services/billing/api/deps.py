"""FastAPI dependencies: the use-case context and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.billing.service.context import ServiceContext
from shared.auth import Principal, Role
from shared.auth.fastapi import require


async def _context(request: Request) -> ServiceContext:
    # async: FastAPI runs a plain def dependency in a thread pool, a thread hop per request.
    return request.app.state.context  # type: ignore[no-any-return]


ContextDep = Annotated[ServiceContext, Depends(_context)]

# Reading: any caller; a portal user is limited to their own account by the use cases.
Reader = Annotated[Principal, Depends(require())]
AccountAdmin = Annotated[
    Principal, Depends(require(Role.AGENT, Role.OPS, Role.PAYABLES, Role.SERVICE))
]
Payer = Annotated[Principal, Depends(require(Role.CUSTOMER))]
Refunder = Annotated[Principal, Depends(require(Role.PAYABLES, Role.OPS))]
