"""Telling "the database is unavailable for a moment" from every other database error."""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc as sa_exc

# SQLSTATE classes and codes that say the server would not (or could not) serve the connection:
# 08 connection exceptions; 53 insufficient resources (53300 too many connections, a full disk,
# out of memory); 57P01-57P03 shutting down, crashed, starting up.
_UNAVAILABLE_CLASSES = ("08", "53")
_UNAVAILABLE_CODES = frozenset({"57P01", "57P02", "57P03"})


def database_unavailable(error: BaseException) -> bool:
    """True if ``error`` (or what caused it) says PostgreSQL refused or dropped the connection,
    or the pool had none to lend: the same request may well succeed a moment later."""
    seen: BaseException | None = error
    for _ in range(10):  # the chain is short: SQLAlchemy's error, the adapter's, asyncpg's
        if seen is None:
            return False
        if _says_unavailable(seen):
            return True
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return False


def _says_unavailable(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, asyncpg.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return state[:2] in _UNAVAILABLE_CLASSES or state in _UNAVAILABLE_CODES
    # The server is not listening (refused) or went away mid-conversation.
    return isinstance(error, ConnectionError | asyncpg.exceptions.ConnectionDoesNotExistError)


UNIQUE_VIOLATION = "23505"


def unique_violation(error: BaseException) -> str | None:
    """The constraint's name if ``error`` (or what caused it) is a unique violation: the request
    would duplicate a row that exists (two open exceptions of one type on a job, a race
    between two identical requests). ``""`` if the server named none; None for other errors."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, asyncpg.PostgresError) and seen.sqlstate == UNIQUE_VIOLATION:
            return str(getattr(seen, "constraint_name", "") or "")
        seen = seen.__cause__ or getattr(seen, "orig", None)
    return None
