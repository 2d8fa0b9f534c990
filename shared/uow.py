"""Unit of work: one transaction per use case, with what it caused in the same commit.

A use case sees only what its service's unit of work opens for it: one repository per
aggregate (``bind``, each a ``Repository``), the events its entities announce (``record``), the
messages it sends (``emit``) and what may happen only once the change is durable
(``after_commit``). It never sees the session: the repositories hold it.

It lives above ``shared.db`` and ``shared.messaging`` because it joins the two: a session of the
one and the outbox rows of the other. Neither package imports it, so ``shared.db`` never imports
``shared.messaging`` (a contract of ``make lint``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.domain.events import DomainEvent
from shared.messaging.contracts import Contract
from shared.messaging.envelope import Envelope
from shared.messaging.inbox import first_delivery
from shared.messaging.outbox import stage_outbox_rows


class Repository:
    """The one repository style: a class per aggregate, opened by the unit of work on its
    session (``bind``). A repository owns all of its aggregate's SQL, whichever way a statement
    runs (an ORM query, a Core statement, or the one fast path of ``shared.db.driver`` on the
    same transaction); the use cases call its methods and never see the session. One column
    change then touches the model, its migration, its repository and nothing else."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session


# What a service's context keeps for its unit of work to open transactions with.
Sessions = async_sessionmaker[AsyncSession]


class UnitOfWork:
    """``async with context.uow() as uow: ...; await uow.commit()``.

    Leaving the block without ``commit()`` rolls back, and drops what was recorded, emitted or
    hooked. ``emit()`` stages a message that is written to the outbox table in the same
    transaction as the state change, so a message is published if and only if the change
    committed. A service's unit of work overrides ``bind`` (its repositories) and, if its
    entities announce events, ``publish`` (what the events become: audit rows, messages).
    """

    def __init__(
        self,
        sessionmaker: Sessions,
        producer: str,
        *,
        correlation_id: str | None = None,
        caused_by: Envelope | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self.producer = producer
        # A message's handler carries its correlation on and names it as the cause of what
        # it emits.
        self.correlation_id = correlation_id
        self.causation_id: str | None = None
        if caused_by is not None:
            self.correlation_id = correlation_id or caused_by.correlation_id
            self.causation_id = str(caused_by.message_id)
        self._pending: list[Envelope] = []
        self._events: list[DomainEvent] = []
        self._after: list[Callable[[], None]] = []
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """For the service's unit of work and its repositories only (a use case never uses it;
        ``tests/unit/test_layers.py`` holds every use-case module to that)."""
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'async with' block")
        return self._session

    def bind(self, session: AsyncSession) -> None:
        """Open the service's repositories on the transaction's session."""

    async def __aenter__(self) -> Self:
        # The session begins its transaction with its first statement (autobegin): an explicit
        # begin() here would cost a hop through a greenlet for the same transaction.
        self._session = self._sessionmaker()
        self.bind(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            # A unit of work left without a commit (a read, a replay) is rolled back, and a
            # rollback expires the rows in its session; a caller renders what it read after the
            # block, so they leave the session first, as loaded (closing keeps them so too).
            session.expunge_all()
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
            self._session = None
            self._pending.clear()
            self._events.clear()
            self._after.clear()

    def record(self, *events: DomainEvent) -> None:
        """What the entities announced (their methods return it); ``publish`` writes it in
        this transaction's commit."""
        self._events.extend(events)

    def emit(self, message: Contract, *, correlation_id: str | None = None) -> Envelope:
        envelope = Envelope.wrap(
            message,
            producer=self.producer,
            correlation_id=correlation_id or self.correlation_id,
            causation_id=self.causation_id,
        )
        self._pending.append(envelope)
        return envelope

    async def first_delivery(self, consumer: str, envelope: Envelope) -> bool:
        """The inbox, in this transaction: False if ``consumer`` already handled the message
        (a redelivery, to be acknowledged and ignored)."""
        return await first_delivery(self.session, consumer, envelope)

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once the commit succeeded (metrics, logs and wake-ups that must only
        describe changes that really happened)."""
        self._after.append(hook)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Write what the recorded events mean, before the commit. A unit of work whose
        entities announce nothing keeps this refusal: an event it dropped would be lost."""
        raise RuntimeError(f"{type(self).__name__} does not publish {type(events[0]).__name__}")

    async def write_recorded(self) -> None:
        """Write what was recorded so far now rather than at the commit, for a use case that
        reads it back in this transaction (an answer that shows the history it added)."""
        if self._events:
            events, self._events = self._events, []
            await self.publish(events)

    async def commit(self) -> None:
        session = self.session
        await self.write_recorded()
        if self._pending:
            await stage_outbox_rows(session, self._pending)
            self._pending.clear()
        await session.commit()
        hooks, self._after = self._after, []
        for hook in hooks:
            hook()
