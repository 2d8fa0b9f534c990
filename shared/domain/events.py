"""What an entity announces when it changes: the base of every service's domain events.

An entity's method checks its transition table, changes the entity and returns the events the
change caused; the use case hands them to its unit of work (``UnitOfWork.record``), which writes
them in the same commit as the change (audit rows, outgoing messages). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """Marker base: a frozen record of something that happened to one entity."""
