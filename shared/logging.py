"""JSON log lines carrying the flow's ``correlation_id``; payee PII is masked before logging."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None) or correlation_id_var.get(),
        }
        for key in ("message_id", "message_type", "payout_id", "claim_id", "attempt_id"):
            value = getattr(record, key, None)
            if value is not None:
                line[key] = str(value)
        if record.exc_info:
            line["exc"] = without_row_values(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


# PostgreSQL's DETAIL quotes the values of the row or key a statement failed on ("Failing row
# contains (..., jane@example.com, ...)", "Key (email)=(...) already exists"), bound parameters
# or not; an error's own message says what failed.
_DETAIL = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)


def without_row_values(text: str) -> str:
    return _DETAIL.sub("DETAIL:  (row values not logged)", text)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn installs its own handlers; route them through ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    for noisy in ("aiormq", "aio_pika", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def mask_email(email: str | None) -> str | None:
    """``jane.doe@example.com`` -> ``j***@example.com``: enough to recognise, not to contact."""
    if not email or "@" not in email:
        return None if email is None else "***"
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_tail(value: str | None, keep: int = 4) -> str | None:
    """Phone numbers, tokens, account numbers: only the last ``keep`` characters."""
    if value is None:
        return None
    return "*" * max(len(value) - keep, 0) + value[-keep:]
