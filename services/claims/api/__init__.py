"""Claims api layer: the routers and the domain-error mapping."""

from fastapi import APIRouter

from services.claims.api import byop, claims, contracts, exceptions, terms, work
from services.claims.api.errors import install_error_handlers


def routers() -> list[APIRouter]:
    return [contracts.router, work.router, exceptions.router, claims.router, byop.router,
            terms.router]


__all__ = ["install_error_handlers", "routers"]
