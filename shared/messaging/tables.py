"""The outbox and inbox tables. Every service's database has both (its migrations create them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID

messaging_metadata = MetaData()

outbox = Table(
    "outbox",
    messaging_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("message_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("type", String(120), nullable=False),
    Column("version", Integer, nullable=False),
    Column("exchange", String(120), nullable=False),
    Column("routing_key", String(200), nullable=False),
    Column("correlation_id", String(120), nullable=False),
    # The exact bytes to publish (the serialised envelope), so a re-publish is identical.
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("publish_attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
    # The relay only ever scans unpublished rows; keep that scan small.
    Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
)

inbox = Table(
    "inbox",
    messaging_metadata,
    Column("consumer", String(120), primary_key=True),
    Column("message_id", UUID(as_uuid=True), primary_key=True),
    Column("type", String(120), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
