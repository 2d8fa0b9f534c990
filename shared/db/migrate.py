"""Alembic glue shared by every service: each service's ``migrations/env.py`` calls
``run_migrations(metadata, ...)``; ``upgrade_head`` creates the database if needed and migrates
it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from shared.db.engine import ensure_database


def alembic_config(migrations_dir: Path, url: str) -> Config:
    """The service's ``alembic.ini`` beside its migrations (it lists the revision folders: a
    service's own and the shared messaging one), pointed at ``url``."""
    ini = migrations_dir.parent / "alembic.ini"
    config = Config(str(ini)) if ini.exists() else Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade_head(migrations_dir: Path, url: str) -> None:
    await ensure_database(url)
    # alembic's env.py runs its own event loop; give it a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(migrations_dir, url), "head")


def run_migrations(*metadata: MetaData) -> None:
    """Body of a service's ``env.py``: online migrations over asyncpg of every table of
    ``metadata``. A service passes its own tables and the outbox and inbox tables
    (``shared.messaging.tables``, which this package does not import); the sandbox only its own."""
    config = context.config
    targets = list(metadata)

    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=targets,
                          literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=targets, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = async_engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())
