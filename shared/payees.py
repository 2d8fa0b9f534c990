"""Rules about payees that every service must apply identically.

``is_placeholder_email`` decides whether an address can receive money mail. Claims refuses a
Concourse selection with such an address and payouts refuses the payout, so both import this one
function: two copies would drift and a payout could be refused after the claim was approved.
"""

from __future__ import annotations

import re
import unicodedata

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
# Letters of other scripts that look like Latin ones (the common part of Unicode's
# confusables): "noemail" spelled with a Cyrillic o is still a placeholder to the eye, and to
# the payee's inbox. Fullwidth and other compatibility forms (fullwidth or mathematical bold
# letters) are folded by NFKC first.
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "\u0430": "a", "\u0435": "e", "\u0451": "e", "\u0456": "i", "\u0457": "i", "\u0458": "j",
    "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0455": "s", "\u0443": "y", "\u0445": "x",
    "\u0501": "d", "\u04bb": "h", "\u051b": "q", "\u051d": "w", "\u04cf": "l", "\u04af": "y",
    # Greek
    "\u03b1": "a", "\u03b5": "e", "\u03b9": "i", "\u03ba": "k", "\u03bd": "v", "\u03bf": "o",
    "\u03c1": "p", "\u03c4": "t", "\u03c5": "u", "\u03c7": "x", "\u03c9": "w", "\u03f2": "c",
    "\u03f3": "j",
    # Latin letters NFKC keeps
    "\u0131": "i", "\u0237": "j", "\u0251": "a", "\u0261": "g", "\u1d0f": "o", "\u2113": "l",
})


def fold_lookalikes(text: str) -> str:
    """``text`` as the eye reads it: NFKC, case-folded, common confusable letters in Latin."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_CONFUSABLES)


def is_placeholder_email(email: str | None) -> bool:
    """True for a missing, malformed or placeholder address (``noemail@...``, ``x@example.com``).

    Concourse sends the payee a registration email; a placeholder means the money would wait for
    a mailed-check fallback nobody asked for, so such addresses are refused up front.
    """
    if email is None:
        return True
    email = fold_lookalikes(email.strip())
    if not _EMAIL.fullmatch(email):
        return True
    local, _, domain = email.rpartition("@")
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
