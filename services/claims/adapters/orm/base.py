"""Declarative base and the column types every claims table shares."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase

from shared.clock import ServiceClock, clock_table

# Named constraints: migrations can then drop or alter them by a stable name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money is stored exactly: 10 digits and 2 places covers every rail's maximum.
MONEY = Numeric(12, 2)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


service_clock = clock_table(Base.metadata)

# The claims clock of this process (one claims database per process). Module-level because the
# column defaults below and every use case stamp with ``utcnow()``: a job created after the
# clock moved must be as young as it looks to the expiry timer.
CLOCK = ServiceClock()


def enum_of(enum: type[StrEnum]) -> Enum:
    """A domain enum stored as its value in a VARCHAR with a CHECK constraint."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        name=enum.__name__.lower(),
        validate_strings=True,
    )


def utcnow() -> datetime:
    """The service's now (the wall clock plus the shared offset, see ``shared.clock``)."""
    return CLOCK.now()


def new_id() -> uuid.UUID:
    return uuid.uuid4()
