from services.sandbox.tables import metadata
from shared.db.migrate import run_migrations

run_migrations(metadata)
