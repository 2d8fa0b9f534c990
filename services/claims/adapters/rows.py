"""What every claims repository reads with: one row by id (locked or not), and row objects
built from the columns of a fast-path statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.domain.errors import NotFound

T = TypeVar("T")
R = TypeVar("R")


async def one(session: AsyncSession, query: Select[T], what: str, ident: object,
              lock: bool) -> T:
    """The query's one row, or ``NotFound``; ``lock=True`` takes the row lock."""
    if lock:
        # populate_existing: a row already in the session is re-read under the lock.
        query = query.with_for_update().execution_options(populate_existing=True)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFound(what, ident)
    return row


def detached(cls: type[R], keys: Sequence[str], values: Sequence[Any]) -> R:
    """A row object outside the session: a flush never writes it, only its repository does."""
    return cls(**dict(zip(keys, values, strict=True)))
