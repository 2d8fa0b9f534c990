"""The one repository style: a class per aggregate, opened by the unit of work on its session.

A repository owns all of its aggregate's SQL, whichever way a statement runs (an ORM query, a
Core statement, or the one fast path of ``shared.db.driver`` on the same transaction); the use
cases call its methods and never see the session. One column change then touches the model, its
migration, its repository and nothing else.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    """Base of every repository: the session of the unit of work that opened it."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
