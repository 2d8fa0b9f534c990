"""Domain errors as RFC 9457 problem details; the OpenAPI entries that document them.

A provider that did not answer is no domain error: the request stands, and the client is told
when to send it again."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.payouts.service.operations import ProviderUndecidedError
from shared.domain_problems import install_domain_error_handler
from shared.problems import problem_response

# Seconds a client is asked to wait before it repeats an action the provider did not decide.
RETRY_UNDECIDED_AFTER_S = 5


def install_error_handlers(app: FastAPI) -> None:
    install_domain_error_handler(app)

    async def on_undecided(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProviderUndecidedError)
        return problem_response(
            503, "provider-undecided", "Provider did not answer",
            f"{exc}; retry the request (it is idempotent at the provider)",
            instance=request.url.path, headers={"Retry-After": str(RETRY_UNDECIDED_AFTER_S)},
        )

    app.add_exception_handler(ProviderUndecidedError, on_undecided)
