"""Domain errors as RFC 9457 problem details; the OpenAPI entries that document them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from shared.domain_problems import install_domain_error_handler
from shared.problems import problem_responses


def install_error_handlers(app: FastAPI) -> None:
    install_domain_error_handler(app)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Every route needs a token (401) and validates its input (422)."""
    return problem_responses(*sorted({401, 422, *statuses}))
