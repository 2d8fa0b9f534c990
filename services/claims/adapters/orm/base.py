"""Declarative base and the column types every claims table shares."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase

from shared.clock import ServiceClock, clock_table
from shared.db.columns import NAMING


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


service_clock = clock_table(Base.metadata)

# The claims clock of this process (one claims database per process). Module-level because the
# column defaults below and every use case stamp with ``utcnow()``: a job created after the
# clock moved must be as young as it looks to the expiry timer.
CLOCK = ServiceClock()


def utcnow() -> datetime:
    """The service's now (the wall clock plus the shared offset, see ``shared.clock``)."""
    return CLOCK.now()


def new_id() -> uuid.UUID:
    return uuid.uuid4()
