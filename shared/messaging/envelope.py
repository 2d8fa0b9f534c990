"""The one envelope every message travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.messaging.contracts import Contract, contract_for


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str = Field(examples=["payouts.request_payout"])
    version: int = Field(ge=1, examples=[1])
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    correlation_id: str = Field(description="The business flow, e.g. the claim id.")
    causation_id: str | None = Field(default=None, description="The message that caused this.")
    producer: str = Field(examples=["claims"])
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        message: Contract,
        *,
        producer: str,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> Envelope:
        return cls(
            type=message.TYPE,
            version=message.VERSION,
            correlation_id=correlation_id or str(uuid.uuid4()),
            causation_id=causation_id,
            producer=producer,
            payload=message.model_dump(mode="json"),
        )

    @property
    def routing_key(self) -> str:
        return contract_for(self.type, self.version).ROUTING_KEY

    @property
    def exchange(self) -> str:
        return contract_for(self.type, self.version).exchange()

    def open(self) -> Contract:
        """Decode the payload into its versioned contract (raises ``ValidationError``)."""
        return self._opened

    @cached_property
    def _opened(self) -> Contract:
        # Validated once per envelope: the consumer opens it to check it before the handler
        # opens it to use it, and validating a payout command twice showed in the worker's
        # profile.
        # The envelope is frozen and nothing edits its payload; the contract is frozen too.
        return contract_for(self.type, self.version).model_validate(self.payload)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, body: bytes) -> Envelope:
        return cls.model_validate_json(body)
