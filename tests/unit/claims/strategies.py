"""Hypothesis strategies for money."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from shared.money import Money


def money(min_cents: int = 0, max_cents: int = 99_999_999) -> st.SearchStrategy[Money]:
    return st.integers(min_cents, max_cents).map(lambda c: Money(Decimal(c) / 100))
