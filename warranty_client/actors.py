"""Bearer tokens for each person in the stories, minted with the platform's JWT settings."""

from __future__ import annotations

from shared.auth import Role, mint_token
from shared.settings import PlatformSettings


def bearer(settings: PlatformSettings, subject: str, role: Role,
           customer_id: str | None = None) -> dict[str, str]:
    """The Authorization header of one user with one role."""
    token = mint_token(
        secret=settings.jwt_secret, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
        subject=subject, roles=[role], customer_id=customer_id,
    )
    return {"Authorization": f"Bearer {token}"}


class Actors:
    """The staff of a claim's story and its one customer."""

    def __init__(self, settings: PlatformSettings, customer_id: str) -> None:
        self._settings = settings
        self.customer_id = customer_id

    @property
    def agent(self) -> dict[str, str]:
        return bearer(self._settings, "agent-ana", Role.AGENT)

    @property
    def customer(self) -> dict[str, str]:
        return bearer(self._settings, f"user-{self.customer_id}", Role.CUSTOMER,
                      self.customer_id)

    @property
    def support(self) -> dict[str, str]:
        return bearer(self._settings, "support-sam", Role.SUPPORT_SERVICES)

    @property
    def payables(self) -> dict[str, str]:
        return bearer(self._settings, "payables-pat", Role.PAYABLES)

    @property
    def byop_agent(self) -> dict[str, str]:
        return bearer(self._settings, "byop-bea", Role.BYOP_AGENT)
