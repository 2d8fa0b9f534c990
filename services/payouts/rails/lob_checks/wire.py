"""Lob's check object and webhook events, read into the rail-neutral ``ProviderPayment`` /
``Observation``. Every field read here is in Lob's specification (``check``, ``events``,
``event_type``, ``tracking_event_normal``); what Lob does not say (paid, stopped) is the bank's.

The printer's word is never payment: a check mailed, in transit or delivered is pending until
the bank's paid-items report lists it. Returned to sender ends it (returned); deleted (Lob's
cancel, before the send date) ends it unpaid; a render or print failure is a rejection.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.payouts.adapters.provider_http import ProviderProtocolError
from services.payouts.domain.outcomes import Observation
from services.payouts.service.ports import ProviderPayment
from shared.money import Money

# Lob's metadata keys we set on every check (``metadata``: up to 20 string pairs, keys <= 40).
END_TO_END_ID_KEY = "end_to_end_id"
PAYOUT_ID_KEY = "payout_id"

Obs = Observation
# Lob's check event types (``check_types``) -> what they mean for the payout.
EVENT_OBSERVATIONS: dict[str, Observation] = {
    "check.created": Obs.PENDING,
    "check.rendered_pdf": Obs.PENDING,
    "check.rendered_thumbnails": Obs.PENDING,
    "check.mailed": Obs.PENDING,
    "check.in_transit": Obs.PENDING,
    "check.in_local_area": Obs.PENDING,
    "check.processed_for_delivery": Obs.PENDING,
    "check.delivered": Obs.PENDING,
    "check.re-routed": Obs.PENDING,
    "check.international_exit": Obs.PENDING,
    "check.returned_to_sender": Obs.RETURNED,
    "check.deleted": Obs.CANCELLED,
    "check.rejected": Obs.REJECTED,
    "check.failed": Obs.REJECTED,
}
# Lob's tracking event names (``tracking_event_normal.name``) -> our provider status.
RETURNED_TO_SENDER = "Returned to Sender"


def provider_status_of(event_name: str) -> str:
    """``In Transit`` -> ``in_transit``, ``Re-Routed`` -> ``re_routed``."""
    return event_name.lower().replace(" ", "_").replace("-", "_")


def amount_of(value: float | int | str) -> Money:
    """Lob sends amounts as JSON numbers (dollars, two decimals): read through their text so a
    binary float never becomes the amount."""
    return Money(Decimal(str(value)).quantize(Decimal("0.01")))


class LobTrackingEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    time: datetime | None = None


class LobCheck(BaseModel):
    """Lob's ``check`` object, the fields we decide on (Lob adds more over time: ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^chk_[a-zA-Z0-9]+$")
    amount: float
    check_number: int | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    send_date: datetime | date | None = None
    tracking_events: list[LobTrackingEvent] | None = None
    deleted: bool | None = None

    @property
    def end_to_end_id(self) -> str:
        try:
            return self.metadata[END_TO_END_ID_KEY]
        except KeyError:
            raise ProviderProtocolError(f"check {self.id} carries no {END_TO_END_ID_KEY}") \
                from None

    @property
    def reference(self) -> str:
        return self.id if self.check_number is None else f"{self.id} #{self.check_number}"

    @property
    def in_the_mail(self) -> bool:
        """Lob has tracking events for it: printed and handed to USPS, past cancelling."""
        return bool(self.tracking_events)

    def observation(self) -> tuple[Observation, str]:
        """What the check's own record says, with its provider status."""
        if self.deleted:
            return Obs.CANCELLED, "deleted"
        events = self.tracking_events or []
        if not events:
            return Obs.PENDING, "created"
        last = events[-1].name
        if last == RETURNED_TO_SENDER:
            return Obs.RETURNED, provider_status_of(last)
        return Obs.PENDING, provider_status_of(last)

    def payment(self) -> ProviderPayment:
        observation, status = self.observation()
        reason = "returned to sender: undeliverable as addressed" \
            if observation is Obs.RETURNED else None
        return ProviderPayment(end_to_end_id=self.end_to_end_id, provider_reference=self.reference,
                               observation=observation, amount=amount_of(self.amount),
                               reason=reason, provider_status=status)


class LobCheckList(BaseModel):
    model_config = ConfigDict(extra="ignore")

    data: list[LobCheck]


class LobEventType(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    resource: str


class LobEvent(BaseModel):
    """Lob's webhook ``event``: ``body`` is the check as it was at the event."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^evt_[a-zA-Z0-9_]+$")
    event_type: LobEventType
    reference_id: str
    date_created: datetime
    body: dict[str, Any]
    object: str

    def observation(self) -> Observation:
        observation = EVENT_OBSERVATIONS.get(self.event_type.id)
        if observation is None:
            raise ProviderProtocolError(f"not a check event: {self.event_type.id!r}")
        return observation

    @property
    def provider_status(self) -> str:
        return self.event_type.id.removeprefix("check.").replace("-", "_")

    def check(self) -> LobCheck | None:
        """The check the event is about; none for ``check.deleted``, whose body is Lob's
        deletion answer (``{id, deleted}``) without the check's metadata."""
        if self.event_type.id == "check.deleted":
            return None
        return LobCheck.model_validate(self.body)
