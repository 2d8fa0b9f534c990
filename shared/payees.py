"""Rules about payees that every service must apply identically.

``is_placeholder_email`` decides whether an address can receive money mail. Claims refuses a
Concourse selection with such an address and payouts refuses the payout, so both import this one
function: two copies would drift and a payout could be refused after the claim was approved.
"""

from __future__ import annotations

import re

# Local parts that say "we have no email" rather than name a mailbox.
_PLACEHOLDER_LOCALS = frozenset(
    {
        "noemail", "no-email", "no_email", "no.email", "nomail", "none", "na", "n/a", "null",
        "unknown", "test", "fake", "dummy", "placeholder", "noreply", "no-reply", "donotreply",
        "do-not-reply", "invalid", "xxx", "noaddress",
    }
)
# Domains used as "no email" fillers, and those reserved for documentation (RFC 2606), which
# can never receive the payee's registration mail.
_PLACEHOLDER_DOMAINS = frozenset(
    {
        "example.com", "example.org", "example.net", "example.edu", "noemail.com",
        "no-email.com", "noemail.net", "none.com", "nomail.com", "test.com", "invalid.com",
        "fake.com", "donotreply.com", "noreply.com",
    }
)
_SQUEEZED_LOCALS = frozenset(re.sub(r"[^a-z0-9]", "", p) for p in _PLACEHOLDER_LOCALS)
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost", ".local")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_placeholder_email(email: str | None) -> bool:
    """True for a missing, malformed or placeholder address (``noemail@...``, ``x@example.com``).

    Concourse sends the payee a registration email; a placeholder means the money would wait for
    a mailed-check fallback nobody asked for, so such addresses are refused up front.
    """
    if email is None or not _EMAIL.fullmatch(email.strip()):
        return True
    local, _, domain = email.strip().casefold().rpartition("@")
    local = local.split("+", 1)[0]
    squeezed = re.sub(r"[^a-z0-9]", "", local)
    return (
        local in _PLACEHOLDER_LOCALS
        or squeezed in _SQUEEZED_LOCALS
        or squeezed.startswith(("noemail", "nomail"))
        or domain in _PLACEHOLDER_DOMAINS
        or any(domain.endswith("." + placeholder) for placeholder in _PLACEHOLDER_DOMAINS)
        or domain.endswith(_RESERVED_TLDS)
    )
