"""The product reaches its libraries through their public APIs only: no code outside ``tests``
reads or calls another object's underscore attribute (SQLAlchemy's ``_start_transaction`` or
``_result_columns``, asyncpg's internals: the next release may rename them). The one exception is
SQLAlchemy's ``Row._mapping``, public API spelt with an underscore so it cannot clash with a
column's name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("shared", "services", "ops", "scripts", "bench", "chaos", "harness")
PUBLIC_WITH_UNDERSCORE = {"_mapping", "_asdict", "_fields", "_replace", "_make"}


def foreign_private_attributes(source: str) -> list[str]:
    """``obj._name`` where ``obj`` is not the instance or class itself (``self``, ``cls``,
    ``super()``), as ``line: expression``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") \
                or node.attr.startswith("__") or node.attr in PUBLIC_WITH_UNDERSCORE:
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) \
                and owner.func.id == "super":
            continue
        found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_scan_finds_what_it_must() -> None:
    assert foreign_private_attributes("adapted._start_transaction()") == [
        "1: adapted._start_transaction"]
    assert foreign_private_attributes("compiled._result_columns") == [
        "1: compiled._result_columns"]
    assert foreign_private_attributes("self._x; cls._y; super()._z(); row._mapping") == []


@pytest.mark.parametrize("package", PRODUCT)
def test_no_product_code_reads_another_objects_private_attributes(package: str) -> None:
    offences = [f"{path.relative_to(REPO)}:{hit}"
                for path in sorted((REPO / package).rglob("*.py"))
                for hit in foreign_private_attributes(path.read_text())]
    assert offences == []
