"""FastAPI dependencies: the use-case context and who may call what."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Request

from services.claims.service.context import ServiceContext
from shared.auth import Principal, Role
from shared.auth.fastapi import require


async def _context(request: Request) -> ServiceContext:
    # async: FastAPI runs a plain def dependency in a thread pool, a thread hop per request.
    return request.app.state.context  # type: ignore[no-any-return]


ContextDep = Annotated[ServiceContext, Depends(_context)]
# Every resource id in a path: a UUID, with an example for the OpenAPI document.
Id = Annotated[uuid.UUID, Path(examples=["7f1c2a9e-3b4d-4c5e-8f60-1a2b3c4d5e6f"])]

# Reading: any caller; a customer is limited to their own data by the use cases (404 otherwise).
Reader = Annotated[Principal, Depends(require())]
ContractWriter = Annotated[Principal, Depends(require(Role.AGENT, Role.OPS, Role.SERVICE))]
Requester = Annotated[Principal, Depends(require(Role.CUSTOMER, Role.AGENT, Role.SERVICE))]
OptionPoster = Annotated[Principal, Depends(require(Role.AGENT, Role.SERVICE))]
OptionChooser = Annotated[Principal, Depends(require(Role.CUSTOMER, Role.AGENT))]
JobHandler = Annotated[
    Principal, Depends(require(Role.AGENT, Role.BYOP_AGENT, Role.OPS, Role.SERVICE))
]
OrderCloser = Annotated[Principal, Depends(require(Role.AGENT, Role.OPS))]
Staff = Annotated[
    Principal,
    Depends(require(Role.AGENT, Role.BYOP_AGENT, Role.SUPPORT_SERVICES, Role.PAYABLES, Role.OPS)),
]
Customer = Annotated[Principal, Depends(require(Role.CUSTOMER))]
PaymentChooser = Annotated[Principal, Depends(require(Role.CUSTOMER, Role.BYOP_AGENT))]
Approver = Annotated[
    Principal, Depends(require(Role.SUPPORT_SERVICES, Role.PAYABLES, Role.OPS))
]
ByopAgent = Annotated[Principal, Depends(require(Role.BYOP_AGENT))]
