"""ASGI entry point: ``uvicorn services.billing.app:app``."""

from services.billing.bootstrap import create_app

app = create_app()
