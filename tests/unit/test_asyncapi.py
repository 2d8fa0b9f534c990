"""The checked-in AsyncAPI document is current, its examples are valid, and the official AsyncAPI
parser accepts it."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.messaging.asyncapi import build_document, render
from shared.messaging.contracts import all_contracts, contract_for
from shared.messaging.envelope import Envelope

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "asyncapi.json"
VALIDATOR = REPO / "tools" / "asyncapi"


def test_checked_in_document_is_not_stale() -> None:
    assert DOC.read_text() == render(), "docs/asyncapi.json is stale: run `make asyncapi`"


def test_every_contract_has_a_message_with_a_valid_example() -> None:
    messages = build_document()["components"]["messages"]
    assert len(messages) == len(all_contracts())
    for message in messages.values():
        example = Envelope.model_validate(message["examples"][0]["payload"])
        assert isinstance(example.open(), contract_for(example.type, example.version))


def test_official_parser_accepts_the_document() -> None:
    node = shutil.which("node")
    if node is None or not (VALIDATOR / "node_modules").exists():
        pytest.fail("the AsyncAPI parser is not installed: run `make test` (it runs npm ci)")
    result = subprocess.run([node, str(VALIDATOR / "validate.mjs"), str(DOC)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid AsyncAPI" in result.stdout
    assert json.loads(DOC.read_text())["asyncapi"].startswith("3.")
