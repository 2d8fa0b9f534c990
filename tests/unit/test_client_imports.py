"""The client flows are one package that imports in one direction: no module of
``warranty_client`` reaches back into itself through a cycle, none depends on the demo scripts
or the tools built on it, and only ``scripts/`` imports the demo scripts."""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "warranty_client"
# Code the client flows are used by, never code they may use.
USERS = ("scripts", "bench", "chaos", "tests", "ops", "harness")


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def client_graph() -> dict[str, set[str]]:
    return {
        f"warranty_client.{path.stem}": {
            name for name in imported_modules(path) if name.startswith("warranty_client.")
        }
        for path in CLIENT.glob("*.py")
    }


def test_the_client_package_has_no_import_cycle() -> None:
    graphlib.TopologicalSorter(client_graph()).prepare()  # raises CycleError on a cycle


def test_the_client_package_uses_none_of_its_users() -> None:
    wrong = {
        (path.name, name)
        for path in CLIENT.glob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in USERS
    }
    assert wrong == set()


def test_only_scripts_import_the_demo_scripts() -> None:
    importers = {
        str(path.relative_to(REPO))
        for path in REPO.rglob("*.py")
        if not path.relative_to(REPO).parts[0].startswith((".", "scripts"))
        and any(name.startswith("scripts.demo") for name in imported_modules(path))
    }
    assert importers == set()
