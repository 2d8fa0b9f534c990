"""scripts/devstack.py as a module, for the tests that read its process table or drive it.

It is loaded from its file, as ``python scripts/devstack.py`` runs it (standard library only),
under the name ``devstack``: the name the subprocesses of the tests import it by."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def _load_devstack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("devstack", REPO / "scripts" / "devstack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["devstack"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


devstack = _load_devstack()
