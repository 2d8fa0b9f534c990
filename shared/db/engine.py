"""Async engine and session factory; creating a service's database when it does not exist."""

from __future__ import annotations

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return _create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,  # survive a PostgreSQL restart without failing the first request
        pool_recycle=1800,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit (we build responses from them).
    return async_sessionmaker(engine, expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it does not exist. Returns True if created."""
    parsed = make_url(url)
    name = parsed.database
    if not name:
        raise ValueError(f"database url {parsed!r} names no database")
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database="postgres",
        timeout=10,
    )
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        # Identifiers cannot be bound parameters; quote it ourselves.
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"CREATE DATABASE {quoted}")
        return True
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    parsed = make_url(url)
    name = parsed.database or ""
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database="postgres",
        timeout=10,
    )
    try:
        quoted = '"' + name.replace('"', '""') + '"'
        await conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        await conn.close()
