"""Filters and the keyset cursor of the payouts list.

The cursor is the (created_at, id) of the last row served, opaque to clients (base64 JSON):
pages stay stable while new payouts arrive, unlike an offset.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_

from services.payouts.adapters.orm import PayoutRow


class InvalidCursorError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Cursor:
    created_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = json.dumps({"c": self.created_at.isoformat(), "i": str(self.id)})
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = json.loads(raw)
            return cls(datetime.fromisoformat(data["c"]), uuid.UUID(data["i"]))
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise InvalidCursorError("the cursor is not one this API handed out") from exc

    @classmethod
    def after(cls, row: PayoutRow) -> Cursor:
        return cls(row.created_at, row.id)


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    limit: int = 50
    payout_key: str | None = None
    status: str | None = None
    rail: str | None = None
    payee: str | None = None
    claim_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    cursor: Cursor | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        row = PayoutRow
        found: list[ColumnElement[bool]] = []
        if self.payout_key is not None:
            found.append(row.payout_key == self.payout_key)
        if self.status is not None:
            found.append(row.status == self.status)
        if self.rail is not None:
            found.append(row.rail == self.rail)
        if self.claim_id is not None:
            found.append(row.claim_id == self.claim_id)
        if self.payee is not None:
            wanted = self.payee.strip().casefold()
            found.append(or_(row.payee_key == wanted,
                             func.lower(row.payee["name"].astext) == wanted))
        if self.created_from is not None:
            found.append(row.created_at >= self.created_from)
        if self.created_to is not None:
            found.append(row.created_at < self.created_to)
        if self.cursor is not None:
            at, last = self.cursor.created_at, self.cursor.id
            found.append(or_(row.created_at < at, and_(row.created_at == at, row.id < last)))
        return found
