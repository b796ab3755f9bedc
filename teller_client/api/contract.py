"""The OpenAPI document of the central signing API, as data both sides check against.

``resources/openapi/central-api.yaml`` is the single description of every
request and response body. The training service validates each request body
with :meth:`Contract.request_errors`; the tests validate every response they
see with :meth:`Contract.response_errors`, so either side drifting from the
document fails a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from teller_client.resources import resource_path

API_PREFIX = "/api/v1"
_URI = "urn:teller-client:central-api"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    """The path as the document writes it, e.g. ``/applications/{id}``."""
    spec: dict[str, Any]


@dataclass(frozen=True)
class SchemaError:
    pointer: str
    """JSON pointer of the offending value in the body."""
    message: str


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template in document["paths"]:
            pattern = "^" + re.sub(r"\{[^/}]+\}", "[^/]+", template) + "$"
            self._routes.append((re.compile(pattern), template))
        # Literal paths win over templated ones (/approvals before /applications/{id}).
        self._routes.sort(key=lambda r: r[1].count("{"))

    @property
    def version(self) -> str:
        return str(self.document["info"]["version"])

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation serving ``method`` ``path`` (with or without the ``/api/v1`` prefix)."""
        if path.startswith(API_PREFIX):
            path = path[len(API_PREFIX) :]
        path = path.split("?", 1)[0]
        for pattern, template in self._routes:
            if pattern.match(path):
                spec = self.document["paths"][template].get(method.lower())
                return Operation(method.upper(), template, spec) if spec is not None else None
        return None

    def _validator(self, schema: dict[str, Any]) -> Draft202012Validator:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            schema = {"$ref": _URI + ref}
        return Draft202012Validator(schema, registry=self._registry, format_checker=FormatChecker())

    def schema_errors(self, schema_name: str, body: Any) -> list[SchemaError]:
        return _errors(self._validator({"$ref": f"#/components/schemas/{schema_name}"}), body)

    def request_errors(self, method: str, path: str, body: Any) -> list[SchemaError]:
        """Problems of a request body against the document ([] when it conforms or takes no body)."""
        op = self.operation(method, path)
        if op is None:
            return [SchemaError("", f"no operation {method} {path} in the contract")]
        request = op.spec.get("requestBody")
        if request is None:
            return []
        if body is None:
            return [SchemaError("", "a request body is required")] if request.get("required") else []
        schema = request["content"]["application/json"]["schema"]
        return _errors(self._validator(schema), body)

    def response_errors(self, method: str, path: str, status: int, content_type: str, body: Any) -> list[SchemaError]:
        """Problems of a response against the document: an undocumented status, media type or body shape."""
        op = self.operation(method, path)
        if op is None:
            return [SchemaError("", f"no operation {method} {path} in the contract")]
        responses = op.spec.get("responses", {})
        response = responses.get(str(status))
        if response is None:
            return [SchemaError("", f"status {status} is not documented for {method} {op.template}")]
        if "$ref" in response:
            response = self._resolve(response["$ref"])
        content = response.get("content")
        if not content:
            return [] if body in (None, b"", "") else [SchemaError("", f"{status} for {method} {op.template} has no body")]
        media = content_type.split(";", 1)[0].strip()
        if media not in content:
            return [SchemaError("", f"media type {media!r} is not documented for {status} {method} {op.template}")]
        return _errors(self._validator(content[media]["schema"]), body)

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return dict(node)


def _errors(validator: Draft202012Validator, body: Any) -> list[SchemaError]:
    found: list[ValidationError] = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    out = []
    for err in found:
        pointer = "".join(f"/{part}" for part in err.absolute_path)
        out.append(SchemaError(pointer, err.message))
    return out


def load_contract(path: Path | None = None) -> Contract:
    if path is not None:
        return _load(path)
    return _shipped()


@lru_cache(maxsize=1)
def _shipped() -> Contract:
    return _load(resource_path("openapi", "central-api.yaml"))


def _load(path: Path) -> Contract:
    with path.open(encoding="utf-8") as fh:
        return Contract(yaml.safe_load(fh))
