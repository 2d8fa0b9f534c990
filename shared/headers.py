"""Request headers every service declares the same way."""

from __future__ import annotations

from typing import Any

from fastapi import Header

# Text that PostgreSQL can store: it refuses NUL characters, which would otherwise surface as a
# 500 from the database instead of a 422 for the caller.
NO_NUL = r"^[^\x00]*$"


def idempotency_key(description: str, example: str) -> Any:
    """The ``Idempotency-Key`` header of a money-moving request (required unless the parameter
    has a default)."""
    return Header(alias="Idempotency-Key", min_length=1, max_length=255, pattern=NO_NUL,
                  description=description, examples=[example])
