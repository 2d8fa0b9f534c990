"""The column conventions the services' models share."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum, Numeric

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
