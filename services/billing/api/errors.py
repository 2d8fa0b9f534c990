"""Domain errors as RFC 9457 problem details; the OpenAPI entries that document them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from services.billing.domain.errors import DomainError, PaymentDeclined
from shared.domain_problems import install_domain_error_handler
from shared.problems import problem_responses


def _decline_reason(exc: DomainError) -> Mapping[str, Any] | None:
    # The gateway's reason as a member of its own, so a portal can branch on it.
    return {"decline_reason": exc.reason} if isinstance(exc, PaymentDeclined) else None


def install_error_handlers(app: FastAPI) -> None:
    install_domain_error_handler(app, extra=_decline_reason)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Every route needs a token (401) and validates its input (422)."""
    return problem_responses(*sorted({401, 422, *statuses}))
