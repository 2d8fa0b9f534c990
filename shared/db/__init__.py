"""Database access: async engine and sessions, the unit of work, database creation, migrations."""

from shared.db.engine import create_engine, create_sessionmaker, ensure_database, ping
from shared.db.uow import UnitOfWork

__all__ = ["UnitOfWork", "create_engine", "create_sessionmaker", "ensure_database", "ping"]
