"""The use cases never see a session, a driver or ``session.info``: they reach the database only
through the repositories their unit of work opens (``shared/uow.py``).

The import side is also an import-linter contract (``make lint``); this test holds what
import-linter cannot see: a session reached from a use case (``uow.session``, a ``session``
parameter, ``session.info``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("claims", "payouts", "billing")
FORBIDDEN_ATTRIBUTES = {"session", "sessionmaker"}
# A session reached any other way: a parameter or a local of that name (``session.info``).
FORBIDDEN_NAMES = {"session", "AsyncSession", "async_sessionmaker"}
FORBIDDEN_IMPORTS = ("sqlalchemy", "asyncpg", "shared.db")


def _use_case_modules(service: str) -> list[Path]:
    return sorted((ROOT / "services" / service / "service").glob("*.py"))


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"{path.name}:{node.lineno} {node.id}")
        elif isinstance(node, ast.arg) and node.arg in FORBIDDEN_NAMES:
            found.append(f"{path.name}:{node.lineno} parameter {node.arg}")
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module.startswith(FORBIDDEN_IMPORTS):
                found.append(f"{path.name}:{node.lineno} from {node.module}")
        elif isinstance(node, ast.Import):
            found.extend(f"{path.name}:{node.lineno} import {alias.name}"
                         for alias in node.names if alias.name.startswith(FORBIDDEN_IMPORTS))
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_use_cases_never_touch_the_session(service: str) -> None:
    modules = _use_case_modules(service)
    assert modules, f"no use-case modules found for {service}"
    offences = [offence for path in modules for offence in _offences(path)]
    assert offences == []


def test_the_scan_finds_a_session_reached_from_a_use_case(tmp_path: Path) -> None:
    # The scan itself must be able to fail.
    sample = tmp_path / "sample.py"
    sample.write_text("from sqlalchemy import select\nasync def f(uow, session):\n"
                      "    log.info('x')\n    return uow.session, session.info\n",
                      encoding="utf-8")
    assert sorted(_offences(sample)) == [
        "sample.py:1 from sqlalchemy", "sample.py:2 parameter session", "sample.py:4 .session",
        "sample.py:4 session"]
