"""Database access: async engine and sessions, database creation, migrations.

The unit of work, which also stages outbox rows, is ``shared.uow``: this package imports nothing
of ``shared.messaging``."""

from shared.db.engine import create_engine, create_sessionmaker, ensure_database, ping

__all__ = ["create_engine", "create_sessionmaker", "ensure_database", "ping"]
