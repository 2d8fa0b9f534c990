"""Concourse's payment statuses (modelled; docs/providers/concourse-modelled.yaml) as the
rail-neutral observations. Total over the modelled enum, which the contract tests check by
iterating it: no status is left unreadable.

A bounced or expired invitation ends the attempt unpaid with an ISO reason code (BE23: the
email proxy is invalid; NOAS: no answer from the beneficiary) that the default fallback rules
turn into a check (``concourse:BE23>check``, ``concourse:NOAS>check``)."""

from __future__ import annotations

from services.payouts.adapters.provider_http import ProviderProtocolError
from services.payouts.domain.outcomes import Observation

# The ISO 20022 reason codes the modelled API gives a failed invitation.
BOUNCED_CODE = "BE23"
EXPIRED_CODE = "NOAS"

OBSERVATIONS: dict[str, Observation] = {
    # Taken for processing; the invitation is not out yet.
    "PENDING": Observation.PENDING,
    # The payee was emailed an invitation and has not registered yet.
    "INVITED": Observation.PENDING,
    # The payee registered and chose ACH or Zelle: the money is on its way, not there.
    "REGISTERED": Observation.PENDING,
    "COMPLETED": Observation.COMPLETED,
    "REJECTED": Observation.REJECTED,
    # Nobody can be invited at that address: ends unpaid with BE23 (fallback: a check).
    "INVITATION_BOUNCED": Observation.REJECTED,
    # Unclaimed after the bank's N days: ends unpaid with NOAS (fallback: a check).
    "INVITATION_EXPIRED": Observation.REJECTED,
    # Cancelled at our request while unclaimed: it will never pay.
    "CANCELLED": Observation.CANCELLED,
    "RETURNED": Observation.RETURNED,
}

# Where a status answer or callback gives no exception[] of its own, the reason it implies.
IMPLIED_REASON_CODES = {"INVITATION_BOUNCED": BOUNCED_CODE, "INVITATION_EXPIRED": EXPIRED_CODE}


def observe(status: str) -> Observation:
    observation = OBSERVATIONS.get(status)
    if observation is None:
        raise ProviderProtocolError(f"unknown Concourse payment status {status!r}")
    return observation
