from services.claims.adapters.orm import metadata
from shared.db.migrate import run_migrations
from shared.messaging.tables import messaging_metadata

run_migrations(metadata, messaging_metadata)
