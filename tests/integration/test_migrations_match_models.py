"""Each service's migrations build exactly the schema its models declare.

The models are what the code queries (and what its statements are built from); the migrations
are what a deployment runs. An index or column added to one and not the other would pass every
test that builds its database from the migrations, until a statement needed it.
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from services.billing.adapters.orm import metadata as billing
from services.claims.adapters.orm import metadata as claims
from services.payouts.adapters.orm import metadata as payouts
from shared.db.engine import create_engine
from shared.messaging.tables import messaging_metadata
from tests.conftest import MigratedDb


def _differences(connection: Connection, metadata: MetaData) -> list[Any]:
    declared = MetaData()
    for table in (*metadata.tables.values(), *messaging_metadata.tables.values()):
        table.to_metadata(declared)
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, declared))


@pytest.mark.parametrize(("service", "metadata"),
                         [("claims", claims), ("payouts", payouts), ("billing", billing)])
async def test_migrated_database_matches_the_models(
    migrated_db: MigratedDb, service: str, metadata: MetaData
) -> None:
    engine = create_engine(await migrated_db(service), pool_size=1)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(_differences, metadata)
    finally:
        await engine.dispose()
    assert differences == []
