"""The Terms and Conditions a payee accepts before a claim is paid, as the platform publishes
them (``GET /v1/terms``).

An acceptance records the version read, and only a published version can be accepted: a client
that sends a version nobody published would leave a record of consent to a text that does not
exist. A superseded version is refused too, so every new acceptance is of today's text; the
acceptances already recorded keep the version they were given under.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.claims.domain.errors import TermsVersionSuperseded, UnknownTermsVersion


@dataclass(frozen=True)
class TermsVersion:
    version: str
    effective: date
    title: str
    text: str


_TEXT_2026_01 = """\
1. Payment. The company pays the amount shown on the payment confirmation (the authorized or
accepted amount, less the service fee where it applies) once, to the payee and by the payment
method shown. The claim is closed when the payment is made.
2. Electronic payment (J.P. Morgan Concourse). The payee receives an email from J.P. Morgan at
the address confirmed here, registers once with a code sent by text message, and chooses a bank
account or Zelle. If the payee does not act within the period stated in that email, a check is
mailed to the address on file instead.
3. Check. A check is mailed to the address confirmed here and usually arrives in 7 to 10 business
days. A check not cashed within the period printed on it expires; the company then stops it and
may reissue it.
4. Zelle (payment to a service pro). A Zelle payment is sent to the service pro's enrolled email
or US mobile number and cannot be recalled once sent.
5. Accuracy. The payee confirms that the contact details and, for a reimbursement, the invoice
given are true and complete. A payment made on false information may be recovered.
6. Changes. Payment details can be changed only through the company's systems, never by email to
accounts payable, and only until a payment is requested on them.
"""

# Oldest first; the last one is current. Publishing a new version appends to this list.
PUBLISHED: tuple[TermsVersion, ...] = (
    TermsVersion(
        version="2026-01", effective=date(2026, 1, 1),
        title="Claim payment Terms and Conditions", text=_TEXT_2026_01,
    ),
)
CURRENT = PUBLISHED[-1]


def ensure_acceptable(
    version: str, published: tuple[TermsVersion, ...] = PUBLISHED
) -> TermsVersion:
    """The published, current version ``version`` names; refused otherwise."""
    known = {terms.version: terms for terms in published}
    if version not in known:
        raise UnknownTermsVersion(
            f"terms version {version!r} is not published; the current version is "
            f"{published[-1].version!r} (GET /v1/terms)"
        )
    if known[version] is not published[-1]:
        raise TermsVersionSuperseded(
            f"terms version {version!r} was superseded by {published[-1].version!r}: "
            "accept the current version (GET /v1/terms)"
        )
    return known[version]
