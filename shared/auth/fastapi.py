"""FastAPI dependencies: ``Depends(require(Role.AGENT, ...))`` gives the caller's Principal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.tokens import Principal, Role, TokenError, decode_token
from shared.problems import ProblemError
from shared.settings import PlatformSettings

_bearer = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="JWT minted by `warranty-token`."
)


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(
        401, "unauthenticated", "Authentication required", detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates the bearer token and checks it has one of ``roles``."""

    # Security(...) rather than calling _bearer by hand: FastAPI then lists the HTTPBearer
    # scheme on every protected operation of the OpenAPI document.
    async def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(_bearer),
    ) -> Principal:
        if credentials is None:
            raise _unauthenticated("a bearer token is required")
        settings: PlatformSettings = request.app.state.settings
        try:
            principal = decode_token(
                credentials.credentials,
                secret=settings.jwt_secret,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
            )
        except TokenError as exc:
            raise _unauthenticated(str(exc)) from exc
        if roles and not principal.has_any(*roles):
            raise ProblemError(
                403, "forbidden", "Not allowed",
                "this action needs one of the roles: " + ", ".join(r.value for r in roles),
            )
        return principal

    # Read by the authorization-matrix test: what each endpoint declares it allows.
    dependency.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return dependency
