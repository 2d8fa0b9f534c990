"""The services' collector settings (``shared.cli.tune_gc``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from shared.cli import GC_GEN0_THRESHOLD, tune_gc


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_start_up_objects_are_frozen_and_young_collections_are_rarer(
    restored_gc: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GC_TUNING", raising=False)
    tune_gc()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD


def test_gc_tuning_0_leaves_the_collector_alone(
    restored_gc: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GC_TUNING", "0")
    before = gc.get_threshold()
    tune_gc()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
