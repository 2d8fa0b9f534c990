"""Text a caller sends that PostgreSQL must be able to store.

PostgreSQL text cannot hold U+0000: a NUL in a request is invalid input (a 422), not a database
error (a 500). ``shared.headers.NO_NUL`` is the pattern for a single header or query value;
``refuse_nul`` checks a whole body.
"""

from __future__ import annotations

from typing import Any


def refuse_nul(data: Any) -> Any:
    """PostgreSQL text cannot hold U+0000: a NUL anywhere in a body is invalid input (a 422),
    not a database error (a 500). Returns the data unchanged (for a ``mode="before"`` model
    validator); raises ``ValueError`` on a NUL in any string, key or nested value."""
    if isinstance(data, str) and "\x00" in data:
        raise ValueError("text must not contain the NUL character (U+0000)")
    if isinstance(data, dict):
        for key, value in data.items():
            refuse_nul(key)
            refuse_nul(value)
    elif isinstance(data, list | tuple):
        for value in data:
            refuse_nul(value)
    return data
