"""The claims OpenAPI document describes every endpoint: summary, tags, a description, the
problem details it may answer (with examples), and examples for every body and path id."""

from __future__ import annotations

from typing import Any

import pytest

from services.claims.api.schemas import byop as byop_schemas
from services.claims.api.schemas import claims as claims_schemas
from services.claims.api.schemas import contracts as contracts_schemas
from services.claims.api.schemas import work as work_schemas
from services.claims.bootstrap import create_app
from shared.schemas import Input

SPEC: dict[str, Any] = create_app().openapi()
OPERATIONS = [
    pytest.param(method, path, op, id=f"{method.upper()} {path}")
    for path, ops in SPEC["paths"].items() if path.startswith("/v1/")
    for method, op in ops.items()
]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return dict(SPEC["components"]["schemas"][ref.rsplit("/", 1)[-1]])


def test_every_claims_resource_is_documented() -> None:
    assert len(OPERATIONS) >= 28


@pytest.mark.parametrize("method, path, op", OPERATIONS)
def test_operation_is_described_with_examples(method: str, path: str, op: dict[str, Any]) -> None:
    assert op.get("summary") and op.get("tags"), "summary and tags"
    success = next(v for k, v in op["responses"].items() if k.startswith("2"))
    assert success.get("description")
    for status in ("401", "422"):
        problem = op["responses"][status]["content"]["application/problem+json"]
        assert problem["example"]["status"] == int(status)
    for parameter in op.get("parameters", []):
        if parameter["in"] == "path":
            assert parameter["schema"].get("examples"), parameter["name"]
    if "requestBody" in op:
        body = resolve(op["requestBody"]["content"]["application/json"]["schema"])
        assert body.get("examples"), f"{method} {path} needs a request example"


def _inputs() -> list[type[Input]]:
    modules = (byop_schemas, claims_schemas, contracts_schemas, work_schemas)
    found = {obj for module in modules for obj in vars(module).values()
             if isinstance(obj, type) and issubclass(obj, Input)}
    return sorted((cls for cls in found if "json_schema_extra" in cls.model_config),
                  key=lambda cls: cls.__name__)


@pytest.mark.parametrize("model", _inputs(), ids=lambda cls: cls.__name__)
def test_request_examples_are_valid_requests(model: type[Input]) -> None:
    extra = model.model_config["json_schema_extra"]
    assert isinstance(extra, dict)
    examples = extra["examples"]
    assert isinstance(examples, list) and examples
    for example in examples:
        model.model_validate(example)
