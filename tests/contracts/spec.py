"""The providers' published specifications, loaded for strict contract tests.

``jpm()`` and ``lob()`` load the vendored OpenAPI documents (``providers/``, unchanged) and
validate a request the adapters build, or an answer or callback the sandbox gives, against them:

- **Strict**: an object may hold only the fields the specification names. OpenAPI 3.0 has no
  keyword for that across ``allOf`` / ``oneOf`` (``additionalProperties: false`` on a member
  would refuse its siblings' fields), so the documents are translated at load time to JSON
  Schema 2020-12, whose ``unevaluatedProperties: false`` sees through composition: it is put on
  every schema that is not itself a member of a composition (each ``$ref`` use, each inline
  object), and members are checked through their parent. A schema that sets
  ``additionalProperties`` keeps it (a free-form map stays free-form).
- **OpenAPI 3.0 to 2020-12**: ``nullable: true`` becomes a ``"null"`` type; formats (date,
  date-time, email) are checked.
- **Patches**: where a specification is incomplete, ``_PATCHES`` fixes it in code, each with a
  reason and a test (``tests/unit/test_provider_specs.py``); the files are never edited.

We use ``jsonschema`` (already a dependency of the OpenAPI tooling) rather than ``openapi-core``:
openapi-core validates OpenAPI 3.0 with its Draft 4 dialect, which cannot express strictness
through ``allOf``/``oneOf`` and would have to accept invented fields.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

PROVIDERS = Path(__file__).parent / "providers"
_COMPOSITIONS = ("allOf", "oneOf", "anyOf")
# Keys whose value is one schema, and keys whose value maps names (or holds a list) of schemas.
_ONE_SCHEMA = ("items", "not", "additionalProperties", "additionalItems")
_SCHEMA_MAPS = ("properties", "patternProperties")

Document = dict[str, Any]


class SpecViolation(AssertionError):
    """What a message breaks in the provider's specification, every error listed."""


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    document: Document  # the translated, patched document (the file itself is untouched)

    @functools.cached_property
    def _registry(self) -> Registry[Any]:
        resource: Resource[Any] = DRAFT202012.create_resource(self.document)
        registry: Registry[Any] = Registry().with_resource(self._uri, resource)
        return registry

    @property
    def _uri(self) -> str:
        return f"urn:provider-spec:{self.name}"

    def operation(self, method: str, path: str) -> Document:
        try:
            return dict(self.document["paths"][path][method.lower()])
        except KeyError:
            raise SpecViolation(f"{self.name} has no operation {method.upper()} {path}") from None

    def request_schema(self, method: str, path: str) -> Document:
        body = self._deref(self.operation(method, path)["requestBody"])
        return dict(body["content"]["application/json"]["schema"])

    def response_schema(self, method: str, path: str, status: int) -> Document:
        responses = self.operation(method, path)["responses"]
        if str(status) not in responses:
            raise SpecViolation(f"{self.name} documents no {status} for {method.upper()} {path} "
                                f"(only {', '.join(sorted(responses))})")
        response = self._deref(responses[str(status)])
        return dict(self._deref(response["content"])["application/json"]["schema"])

    def callback_schema(self, method: str, path: str, callback: str) -> Document:
        [(_, item)] = self.operation(method, path)["callbacks"][callback].items()
        [(_, operation)] = item.items()
        return dict(operation["requestBody"]["content"]["application/json"]["schema"])

    def parameters(self, method: str, path: str, where: str) -> dict[str, Document]:
        """The operation's parameters ``in`` ``where`` (query, header, path), by name."""
        found = {}
        for parameter in self.operation(method, path).get("parameters", []):
            parameter = self._deref(parameter)
            if parameter["in"] == where:
                found[parameter["name"]] = parameter
        return found

    def examples(self, method: str, path: str, status: int | None = None) -> dict[str, Any]:
        """The specification's own examples of a request body (or of a response)."""
        operation = self.operation(method, path)
        holder = (operation["requestBody"] if status is None
                  else operation["responses"][str(status)])
        content = self._deref(self._deref(holder)["content"])["application/json"]
        named = {name: self._deref(example)["value"]
                 for name, example in content.get("examples", {}).items()}
        if "example" in content:  # OpenAPI's single, unnamed example (Lob's style)
            named["example"] = content["example"]
        return named

    def validate(self, schema: Document, instance: Any) -> None:
        errors = sorted(self._validator(schema).iter_errors(instance), key=_where)
        if errors:
            raise SpecViolation(f"{self.name}: " + "; ".join(
                f"{_where(e) or '(root)'}: {e.message}" for e in errors[:20]))

    def validate_request(self, method: str, path: str, body: Any, *,
                         query: dict[str, str] | None = None) -> None:
        if query is not None:
            self._validate_query(method, path, query)
        if body is not None:
            self.validate(self.request_schema(method, path), body)

    def validate_response(self, method: str, path: str, status: int, body: Any) -> None:
        self.validate(self.response_schema(method, path, status), body)

    def _validate_query(self, method: str, path: str, query: dict[str, str]) -> None:
        declared = self.parameters(method, path, "query")
        unknown = sorted(set(query) - set(declared))
        if unknown:
            raise SpecViolation(f"{self.name}: {method.upper()} {path} has no query "
                                f"parameter {', '.join(unknown)}")
        for name, parameter in declared.items():
            if parameter.get("required") and name not in query:
                raise SpecViolation(f"{self.name}: query parameter {name} is required")
            if name in query:
                self.validate(parameter["schema"], query[name])

    def _validator(self, schema: Document) -> Draft202012Validator:
        # Local "#/components/..." refs resolve against the whole document; a schema from
        # outside the document (a test's) is made strict the same way.
        checked = _rebase_refs(_strict(copy.deepcopy(schema), self._at, member=False),
                               self._uri)
        return Draft202012Validator(checked, registry=self._registry,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def _deref(self, node: Document) -> Document:
        while "$ref" in node:
            node = self._at(node["$ref"])
        return node

    def _at(self, ref: str) -> Document:
        assert ref.startswith("#/"), ref
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)


def _where(error: ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path)


# -- loading --------------------------------------------------------------------------------


# Ours, not a provider's: J.P. Morgan publishes no Concourse API (see the document's info).
MODELLED = Path(__file__).parents[2] / "docs" / "providers"


def _load(file: str, folder: Path = PROVIDERS) -> Document:
    with (folder / file).open() as handle:
        loaded: Document = yaml.load(handle, Loader=yaml.CSafeLoader)
    return loaded


def _patched(name: str, document: Document) -> Document:
    # A JSON round trip, not a deep copy: YAML aliases share one dict between places, and a
    # schema marked strict in one place must not be marked in another where it is a
    # composition member. Dates the YAML parser read become their ISO text, as in JSON.
    document = json.loads(json.dumps(document, default=str))
    for patch in _PATCHES.get(name, ()):
        patch(document)
    return _translate(document)


@functools.cache
def jpm() -> ProviderSpec:
    """J.P. Morgan Global Payments v1 (servers' base path ``/tsapi/v1``)."""
    document = _load("jpm-global-payments-v1.yaml")
    return ProviderSpec("jpm-global-payments", _patched("jpm", document))


@functools.cache
def lob() -> ProviderSpec:
    """Lob's print-and-mail API (base path ``/v1``)."""
    return ProviderSpec("lob", _patched("lob", _load("lob-api-bundled.yml")))


@functools.cache
def concourse() -> ProviderSpec:
    """Concourse as we model it on Global Payments' conventions (base ``/tsapi/v1/concourse``);
    MODELLED, docs/providers/concourse-modelled.yaml."""
    return ProviderSpec("concourse-modelled",
                        _patched("concourse", _load("concourse-modelled.yaml", MODELLED)))


# -- patches: where a specification is incomplete -------------------------------------------


def _jpm_query_parameters_have_a_schema(document: Document) -> None:
    """``endToEndId`` and ``firmRootId`` (GET /payments/status, /payments/details) are declared
    without a ``schema``; the spec's own ``EndToEndId`` / ``FirmRootId`` schemas say what they
    are."""
    parameters = document["components"]["parameters"]
    parameters["EndToEndId"].setdefault("schema", {"$ref": "#/components/schemas/EndToEndId"})
    parameters["FirmRootId"].setdefault("schema", {"$ref": "#/components/schemas/FirmRootId"})


def _jpm_answers_carry_their_object(document: Document) -> None:
    """The answers' schemas make every field optional, so ``{}`` would pass as a 202 or a
    status. J.P. Morgan documents (and its examples show) that a 202 carries
    ``paymentInitiationResponse`` with the ``endToEndId``, and a status answer
    ``paymentStatus`` with its ``status``."""
    schemas = document["components"]["schemas"]
    schemas["PaymentInitiationResponse"]["required"] = ["paymentInitiationResponse"]
    initiation = schemas["PaymentInitiationResponse"]["properties"]["paymentInitiationResponse"]
    initiation["required"] = ["endToEndId"]
    schemas["PaymentStatus"]["required"] = ["paymentStatus"]
    schemas["CoreStatus"]["required"] = ["status"]


def _jpm_debtor_may_give_date_and_place_of_birth(document: Document) -> None:
    """The spec's own Mexico SPEI example sends ``debtor.dateAndPlaceOfBirth``, and the spec
    defines ``DateAndPlaceOfBirth``, but ``Debtor`` does not list it (``Creditor`` does)."""
    debtor = document["components"]["schemas"]["Debtor"]["properties"]
    debtor.setdefault("dateAndPlaceOfBirth", {"$ref": "#/components/schemas/DateAndPlaceOfBirth"})


def _jpm_future_dated_items_are_warehoused(document: Document) -> None:
    """J.P. Morgan documents WAREHOUSED for a future-dated payment held until its execution
    date, but the status enum of the v1.1.11 file stops at BLOCKED."""
    status = document["components"]["schemas"]["CoreStatus"]["properties"]["status"]
    if "WAREHOUSED" not in status["enum"]:
        status["enum"] = [*status["enum"], "WAREHOUSED"]


def _lob_signed_links_match_the_links_lob_sends(document: Document) -> None:
    """``signed_link``'s pattern cannot match any URL Lob documents: it has a stray quote where
    an empty alternative was meant (``('|_signature)``), no ``?`` before the query, and makes
    ``version=`` mandatory though none of Lob's examples carries it."""
    link = document["components"]["schemas"]["signed_link"]
    link["pattern"] = link["pattern"].replace("('|_signature)", "(|_signature)").replace(
        "(version=[a-z0-9]*&)expires", r"\?(version=[a-z0-9]*&)?expires")


_PATCHES: dict[str, tuple[Callable[[Document], None], ...]] = {
    "jpm": (_jpm_query_parameters_have_a_schema, _jpm_answers_carry_their_object,
            _jpm_debtor_may_give_date_and_place_of_birth, _jpm_future_dated_items_are_warehoused),
    "lob": (_lob_signed_links_match_the_links_lob_sends,),
}


# -- translation to strict JSON Schema 2020-12 ----------------------------------------------


def _translate(document: Document) -> Document:
    """Every schema in the document: OpenAPI 3.0 keywords turned into 2020-12 ones, then made
    strict. A named component is not marked at its root (it may be a composition member
    wherever it is used); each use of it by ``$ref`` is, and so is everything inside it."""
    for schema in _all_schemas(document):
        _nullable(schema)

    def resolve(ref: str) -> Document:
        node: Any = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return dict(node)

    for schema in document.get("components", {}).get("schemas", {}).values():
        _strict(schema, resolve, member=True)
    for schema in _used_schemas(document):
        _strict(schema, resolve, member=False)
    return document


def _used_schemas(document: Document) -> Iterator[Document]:
    """The schemas an operation uses directly: bodies of requests, answers and callbacks, and
    parameters (also those declared once under ``components``)."""
    components = document.get("components", {})
    for holder in (*components.get("responses", {}).values(),
                   *components.get("requestBodies", {}).values()):
        yield from _content_schemas(holder)
    for parameter in components.get("parameters", {}).values():
        if isinstance(parameter.get("schema"), dict):
            yield parameter["schema"]
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                yield from _operation_schemas(operation)


def _operation_schemas(operation: Document) -> Iterator[Document]:
    yield from _content_schemas(operation.get("requestBody", {}))
    for response in operation.get("responses", {}).values():
        yield from _content_schemas(response)
    for parameter in operation.get("parameters", []):
        if isinstance(parameter.get("schema"), dict):
            yield parameter["schema"]
    for callback in operation.get("callbacks", {}).values():
        for item in callback.values():
            for nested in item.values():
                yield from _operation_schemas(nested)


def _content_schemas(holder: Document) -> Iterator[Document]:
    content = holder.get("content") if isinstance(holder, dict) else None
    for media in (content or {}).values() if isinstance(content, dict) else ():
        if isinstance(media, dict) and isinstance(media.get("schema"), dict):
            yield media["schema"]


def _all_schemas(document: Document) -> Iterator[Document]:
    seen: set[int] = set()

    def walk(node: Any) -> Iterator[Document]:
        if isinstance(node, dict):
            if id(node) in seen:
                return
            seen.add(id(node))
            if _looks_like_schema(node):
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    yield from walk(document)


def _looks_like_schema(node: Document) -> bool:
    return any(key in node for key in ("type", "properties", "$ref", *_COMPOSITIONS, "enum"))


def _nullable(schema: Document) -> None:
    if schema.pop("nullable", False) is True and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]


Resolve = Callable[[str], Document]


def _strict(schema: Any, resolve: Resolve, *, member: bool) -> Any:
    """Mark ``schema`` (unless it is a composition member) and everything below it."""
    if not isinstance(schema, dict):
        return schema
    for key in _COMPOSITIONS:
        if key in schema:
            schema[key] = [_strict(part, resolve, member=True) for part in schema[key]]
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            schema[key] = {name: _strict(part, resolve, member=False)
                           for name, part in schema[key].items()}
    for key in _ONE_SCHEMA:
        if isinstance(schema.get(key), dict):
            schema[key] = _strict(schema[key], resolve, member=False)
    if not member and "additionalProperties" not in schema and _closed(schema, resolve):
        schema["unevaluatedProperties"] = False
    return schema


def _closed(schema: Document, resolve: Resolve, depth: int = 0) -> bool:
    """Does ``schema`` describe an object with named fields (through its references)? A bare
    ``type: object`` is a free-form map (Lob's ``metadata``, ``merge_variables``): left open."""
    if depth > 20 or schema.get("additionalProperties") not in (None, False):
        return False
    if "properties" in schema or any(key in schema for key in _COMPOSITIONS):
        return True
    ref = schema.get("$ref")
    return isinstance(ref, str) and ref.startswith("#/") and \
        _closed(resolve(ref), resolve, depth + 1)


def _rebase_refs(node: Any, uri: str) -> Any:
    """Local ``#/...`` references point into the whole document, not the checked schema."""
    if isinstance(node, dict):
        rebased = {key: _rebase_refs(value, uri) for key, value in node.items()}
        ref = rebased.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            rebased["$ref"] = f"{uri}{ref}"
        return rebased
    if isinstance(node, list):
        return [_rebase_refs(value, uri) for value in node]
    return node
