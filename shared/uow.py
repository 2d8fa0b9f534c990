"""Unit of work: one transaction per use case, with the outgoing messages in the same commit.

It lives above ``shared.db`` and ``shared.messaging`` because it joins the two: a session of the
one and the outbox rows of the other. Neither package imports it, so ``shared.db`` never imports
``shared.messaging`` (a contract of ``make lint``)."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.messaging.contracts import Contract
from shared.messaging.envelope import Envelope
from shared.messaging.outbox import stage_outbox_rows


class UnitOfWork:
    """``async with UnitOfWork(...) as uow: ...; await uow.commit()``.

    Leaving the block without ``commit()`` rolls back. ``emit()`` stages a message that is
    written to the outbox table in the same transaction as the state change, so a message is
    published if and only if the change committed.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: str,
        *,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self.producer = producer
        self.correlation_id = correlation_id
        self.causation_id = causation_id
        self._pending: list[Envelope] = []
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'async with' block")
        return self._session

    async def __aenter__(self) -> Self:
        # The session begins its transaction with its first statement (autobegin): an explicit
        # begin() here would cost a hop through a greenlet for the same transaction.
        self._session = self._sessionmaker()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None
            self._pending.clear()

    def emit(self, message: Contract, *, correlation_id: str | None = None) -> Envelope:
        envelope = Envelope.wrap(
            message,
            producer=self.producer,
            correlation_id=correlation_id or self.correlation_id,
            causation_id=self.causation_id,
        )
        self._pending.append(envelope)
        return envelope

    async def commit(self) -> None:
        session = self.session
        if self._pending:
            await stage_outbox_rows(session, self._pending)
            self._pending.clear()
        await session.commit()
