"""ASGI entry point: ``uvicorn services.claims.app:app``."""

from services.claims.bootstrap import create_app

app = create_app()
