"""What changes between two bundles, in the analyst's terms (not a text diff).

Why structured: "field *amount* became required", "stage *review* was removed",
"gateway *Gateway_1* got a new condition" is what decides whether a deploy is
safe; a line diff of YAML and XML would hide it. Both sides are parsed
leniently, so a half-edited draft still diffs (broken files count as changed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from runtime.bundles.archive import MANIFEST
from runtime.bundles.manifest import load_yaml
from runtime.errors import ValidationFailed
from runtime.studio.bpmn_elements import process_elements

Files = Mapping[str, bytes]
GENERAL = ("name", "description", "numbering", "title", "process", "schema", "ui")
FIELD_FACETS = ("type", "required", "title", "format", "enum", "minimum", "maximum",
                "minLength", "maxLength", "pattern", "default")


def diff_bundles(old: Files | None, new: Files) -> dict[str, Any]:
    """The structured diff from ``old`` (None: nothing deployed yet) to ``new``."""
    before, after = _Side(old or {}), _Side(new)
    out: dict[str, Any] = {
        "files": _file_changes(old or {}, new),
        "general": [{"field": f, "before": before.manifest.get(f), "after": after.manifest.get(f)}
                    for f in GENERAL if before.manifest.get(f) != after.manifest.get(f)],
        "fields": _form_fields(before, after),
        "stages": _keyed(before.items("stages"), after.items("stages")),
        "queues": _set_change(before.items("queues"), after.items("queues")),
        "forms": _set_change(list(before.forms), list(after.forms),
                             changed=[k for k in before.forms if k in after.forms
                                      and before.forms[k] != after.forms[k]]),
        "permissions": _permissions(before.mapping("permissions"),
                                    after.mapping("permissions")),
        "hooks": _set_change(_dumps(before.items("hooks")), _dumps(after.items("hooks"))),
        "process": _keyed(before.elements, after.elements, key="id"),
    }
    out["empty"] = old is not None and not any(out[k] for k in out if k != "files") \
        and not any(out["files"].values())
    return out


class _Side:
    """One bundle, parsed as far as it parses."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.manifest = _mapping(_load(files, MANIFEST, yaml_file=True))
        self.forms = self._forms()
        self.elements = self._elements()

    def items(self, name: str) -> list[Any]:
        value = self.manifest.get(name)
        return value if isinstance(value, list) else []

    def mapping(self, name: str) -> dict[str, Any]:
        return _mapping(self.manifest.get(name))

    def _forms(self) -> dict[str, Any]:
        """``{"case": schema, "form:review": schema, ...}`` (parsed JSON schemas)."""
        out: dict[str, Any] = {}
        if isinstance(self.manifest.get("schema"), str):
            out["case"] = _load(self.files, self.manifest["schema"])
        for key, ref in self.mapping("forms").items():
            path = ref.get("schema") if isinstance(ref, dict) else ref
            if isinstance(path, str):
                out[f"form:{key}"] = _load(self.files, path)
        return out

    def _elements(self) -> list[dict[str, Any]]:
        names = [self.manifest.get("process"), *self.items("resources")]
        out: list[dict[str, Any]] = []
        for name in names:
            if isinstance(name, str) and name in self.files:
                out += process_elements(self.files[name])
        return out


def _load(files: Files, name: str, yaml_file: bool = False) -> Any:
    data = files.get(name)
    if data is None:
        return None
    try:
        return load_yaml(data) if yaml_file else json.loads(data)
    except (ValidationFailed, ValueError):
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dumps(items: list[Any]) -> list[str]:
    return [json.dumps(i, sort_keys=True) for i in items]


def _file_changes(old: Files, new: Files) -> dict[str, list[str]]:
    return {"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new)),
            "changed": sorted(n for n in set(old) & set(new) if old[n] != new[n])}


def _set_change(old: list[Any], new: list[Any], changed: list[Any] | None = None
                ) -> dict[str, list[Any]]:
    out = {"added": [x for x in new if x not in old], "removed": [x for x in old if x not in new]}
    if changed:
        out["changed"] = changed
    return {k: v for k, v in out.items() if v}


def _keyed(old: list[Any], new: list[Any], key: str = "key") -> list[dict[str, Any]]:
    """Items matched by ``key``: added, removed, or changed (with the changed facets)."""
    before = {i.get(key): i for i in old if isinstance(i, dict)}
    after = {i.get(key): i for i in new if isinstance(i, dict)}
    out = [{"change": "removed", key: k, "before": v} for k, v in before.items()
           if k not in after]
    for k, item in after.items():
        if k not in before:
            out.append({"change": "added", key: k, "after": item})
        elif item != before[k]:
            facets = sorted(f for f in set(item) | set(before[k])
                            if item.get(f) != before[k].get(f))
            out.append({"change": "changed", key: k, "before": before[k], "after": item,
                        "facets": facets})
    return out


def _permissions(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for action in sorted(set(old) | set(new)):
        was, now = list(old.get(action) or []), list(new.get(action) or [])
        change = _set_change(was, now)
        if change:
            out.append({"action": action, **change})
    return out


def _form_fields(before: _Side, after: _Side) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for form in [*before.forms, *(f for f in after.forms if f not in before.forms)]:
        old = flatten_fields(before.forms.get(form))
        new = flatten_fields(after.forms.get(form))
        for item in _keyed(list(old.values()), list(new.values()), key="path"):
            out.append({"form": form, **item})
    return out


def flatten_fields(schema: Any, prefix: str = "") -> dict[str, dict[str, Any]]:
    """Every field of a form schema by JSON Pointer (``/items/*/name`` inside arrays)."""
    if not isinstance(schema, dict):
        return {}
    listed = schema.get("required")
    required: list[Any] = listed if isinstance(listed, list) else []
    out: dict[str, dict[str, Any]] = {}
    for name, sub in _mapping(schema.get("properties")).items():
        if not isinstance(sub, dict):
            continue
        path = f"{prefix}/{name}"
        out[path] = {"path": path, **{f: sub[f] for f in FIELD_FACETS if f in sub},
                     "required": name in required}
        out.update(flatten_fields(sub, path))
        items = sub.get("items")
        if isinstance(items, dict):
            out.update(flatten_fields(items, path + "/*"))
    return out
