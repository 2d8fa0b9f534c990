"""ASGI entry point: ``uvicorn services.payouts.app:app``."""

from services.payouts.bootstrap import create_app

app = create_app()
