"""Which Terms and Conditions versions an acceptance may name."""

from __future__ import annotations

from datetime import date

import pytest

from services.claims.domain import terms
from services.claims.domain.errors import TermsVersionSuperseded, UnknownTermsVersion

OLD = terms.TermsVersion("2025-06", date(2025, 6, 1), "Old terms", "...")
NEW = terms.TermsVersion("2026-01", date(2026, 1, 1), "New terms", "...")


def test_the_current_version_is_the_last_published() -> None:
    assert terms.CURRENT is terms.PUBLISHED[-1]
    assert terms.ensure_acceptable(terms.CURRENT.version) is terms.CURRENT


def test_a_superseded_version_is_refused_with_the_current_one_named() -> None:
    with pytest.raises(TermsVersionSuperseded, match="'2026-01'"):
        terms.ensure_acceptable("2025-06", (OLD, NEW))
    assert terms.ensure_acceptable("2026-01", (OLD, NEW)) is NEW


@pytest.mark.parametrize("version", ["", "2026-1", "2026-01\x00", "2099-01"])
def test_an_unpublished_version_is_refused(version: str) -> None:
    with pytest.raises(UnknownTermsVersion):
        terms.ensure_acceptable(version)
