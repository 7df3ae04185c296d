"""Parsing ``case-type.yaml`` and checking it against the published bundle schema."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from forms import validate_data
from runtime.bundles.archive import MANIFEST, bundle_error


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (YAML silently keeps the last)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False
                       ) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


# YAML 1.1 reads bare on/off/yes/no as booleans, so `on: task.completed` in a hook would
# become `True: ...`. Bundles use YAML 1.2 booleans: only true/false.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)  # type: ignore[arg-type]


def load_yaml(data: bytes, file: str = MANIFEST) -> Any:
    """YAML -> Python, with the line of any syntax error or duplicate key."""
    try:
        return yaml.load(data, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise bundle_error(f"malformed YAML: {problem}{where}", file=file) from None


def load_json(data: bytes, file: str) -> Any:
    """JSON -> Python, naming the file, line and column of a syntax error."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (f" (line {exc.lineno}, column {exc.colno})"
                 if isinstance(exc, json.JSONDecodeError) else "")
        raise bundle_error(f"malformed JSON: {getattr(exc, 'msg', exc)}{where}",
                           file=file) from None


@cache
def bundle_schema() -> dict[str, Any]:
    """The published bundle-manifest JSON Schema (shipped in the package)."""
    text = resources.files("runtime.bundles").joinpath("bundle.schema.json").read_text()
    return dict(json.loads(text))


def manifest_errors(manifest: Any) -> list[dict[str, str]]:
    """Schema violations of the manifest, each at its own JSON Pointer path."""
    return [{"file": MANIFEST, **e.as_dict()} for e in validate_data(bundle_schema(), manifest)]
