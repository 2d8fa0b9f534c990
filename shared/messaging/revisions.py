"""The outbox and inbox tables as every service's first migration (revision 0001) creates them.

The three services' 0001 revisions call these, so the one schema the shared relay and consumer
rely on is written once. Frozen, like any applied migration: a later change to these tables is a
new revision in each service, never an edit here (``test_migrations_match_models`` compares the
migrated schema with ``shared.messaging.tables``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_messaging_tables() -> None:
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(length=120), nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("consumer", "message_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("exchange", sa.String(length=120), nullable=False),
        sa.Column("routing_key", sa.String(length=200), nullable=False),
        sa.Column("correlation_id", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("publish_attempts", sa.Integer(), server_default=sa.text("0"),
                  nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], unique=False,
                    postgresql_where=sa.text("published_at IS NULL"))


def drop_messaging_tables() -> None:
    op.drop_index("ix_outbox_unpublished", table_name="outbox",
                  postgresql_where=sa.text("published_at IS NULL"))
    op.drop_table("outbox")
    op.drop_table("inbox")
