from services.payouts.adapters.orm import metadata
from shared.db.migrate import run_migrations

run_migrations(metadata)
