"""Referential checks of a bundle: files, forms, stages, queues, hooks, BPMN.

Why separate from the manifest schema: JSON Schema cannot say "this stage
must exist" or "this form key must be a file"; these checks can, and they
produce the same ``{file, path, message}`` errors.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from bpmn.lint import lint_bpmn
from bpmn.xml import XmlError, parse_xml
from forms import check_form_schema, check_numbering, check_template
from runtime.bundles.archive import MANIFEST
from runtime.bundles.manifest import load_json
from runtime.errors import ValidationFailed

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class Collector:
    """Accumulates errors and warnings while the bundle is walked."""

    files: dict[str, bytes]
    allow_scripts: bool = False
    builtin_topics: Collection[str] = ()
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def error(self, message: str, path: str = "", file: str = MANIFEST) -> None:
        self.errors.append({"file": file, "path": path, "message": message})

    def warn(self, message: str, path: str = "", file: str = MANIFEST) -> None:
        self.warnings.append({"file": file, "path": path, "message": message})

    def json_file(self, name: str, pointer: str) -> Any:
        """Load a referenced JSON file, recording a missing or malformed one."""
        if name not in self.files:
            self.error(f"file not found in bundle: {name}", pointer)
            return None
        try:
            return load_json(self.files[name], name)
        except ValidationFailed as exc:
            self.errors.extend(exc.errors)
            return None


def check_references(manifest: dict[str, Any], c: Collector) -> dict[str, Any]:
    """Resolve every reference of the manifest into one self-contained definition."""
    stages = [s["key"] for s in manifest["stages"]]
    queues = list(manifest.get("queues", []))
    _unique(stages, "/stages", "stage", c)
    definition = {k: v for k, v in manifest.items() if k not in ("schema", "ui", "forms")}
    definition["numbering"] = manifest.get("numbering") or manifest["key"].upper() + "-{seq:06}"
    definition["queues"] = queues
    definition["schema"] = _form_schema(manifest["schema"], "/schema", c)
    definition["ui"] = _ui(manifest.get("ui"), "/ui", c)
    definition["forms"] = _task_forms(manifest.get("forms", {}), c)
    _check_texts(definition, c)
    _check_hooks(manifest.get("hooks", []), stages, queues, c)
    _check_intake(manifest.get("intake", {}), definition["schema"], queues, c)
    definition["processId"] = _check_processes(manifest, set(definition["forms"]), c)
    return definition


def _unique(values: list[str], pointer: str, what: str, c: Collector) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            c.error(f"duplicate {what} key {value!r}", f"{pointer}/{index}/key")
        seen.add(value)


def _form_schema(name: str, pointer: str, c: Collector) -> dict[str, Any]:
    schema = c.json_file(name, pointer)
    if schema is None:
        return {}
    for problem in check_form_schema(schema):
        c.error(f"invalid JSON Schema: {problem.message}", problem.path, file=name)
    return schema if isinstance(schema, dict) else {}


def _ui(name: str | None, pointer: str, c: Collector) -> dict[str, Any]:
    if not name:
        return {}
    ui = c.json_file(name, pointer)
    if ui is not None and not isinstance(ui, dict):
        c.error("a UI schema must be a JSON object", "", file=name)
    return ui if isinstance(ui, dict) else {}


def _task_forms(forms: dict[str, Any], c: Collector) -> dict[str, Any]:
    out = {}
    for key, ref in forms.items():
        spec = {"schema": ref} if isinstance(ref, str) else ref
        pointer = f"/forms/{key}"
        out[key] = {"schema": _form_schema(spec["schema"], pointer, c),
                    "ui": _ui(spec.get("ui") or _sibling_ui(spec["schema"], c), pointer, c)}
    return out


def _sibling_ui(schema_path: str, c: Collector) -> str | None:
    """``forms/review.schema.json`` picks up ``forms/review.ui.json`` by convention."""
    candidate = schema_path.replace(".schema.json", ".ui.json")
    return candidate if candidate != schema_path and candidate in c.files else None


def _check_texts(definition: dict[str, Any], c: Collector) -> None:
    for message in check_numbering(definition["numbering"]):
        c.error(message, "/numbering")
    for message in check_template(definition.get("title", "") or ""):
        c.error(message, "/title")


def _check_hooks(hooks: list[dict[str, Any]], stages: list[str], queues: list[str],
                 c: Collector) -> None:
    for index, hook in enumerate(hooks):
        pointer = f"/hooks/{index}"
        if hook.get("stage") is not None and hook["stage"] not in stages:
            c.error(f"unknown stage {hook['stage']!r}", pointer + "/stage")
        target = hook["set"]
        if "stage" in target and target["stage"] not in stages:
            c.error(f"unknown stage {target['stage']!r}", pointer + "/set/stage")
        if "queue" in target and target["queue"] not in queues:
            c.error(f"unknown queue {target['queue']!r}", pointer + "/set/queue")


def _check_intake(intake: dict[str, Any], schema: dict[str, Any], queues: list[str],
                  c: Collector) -> None:
    email = intake.get("email")
    if not email:
        return
    props = schema.get("properties", {})
    for target in email.get("map", {}):
        if target not in props:
            c.error(f"intake maps to {target!r}, which is not a field of the case schema",
                    f"/intake/email/map/{target}")
    if email.get("queue") and email["queue"] not in queues:
        c.error(f"unknown queue {email['queue']!r}", "/intake/email/queue")


def _check_processes(manifest: dict[str, Any], form_keys: set[str], c: Collector) -> str | None:
    names = ([manifest["process"]] if manifest.get("process") else []) + list(
        manifest.get("resources", []))
    ids: dict[str, list[str]] = {}
    for index, name in enumerate(names):
        pointer = "/process" if index == 0 and manifest.get("process") else "/resources"
        ids[name] = _process_ids(name, pointer, c)
    known = [pid for group in ids.values() for pid in group]
    for name in names:
        if ids.get(name):
            _lint(name, form_keys, known, c)
    main = ids.get(manifest.get("process") or "", [])
    return main[0] if main else None


def _process_ids(name: str, pointer: str, c: Collector) -> list[str]:
    if name not in c.files:
        c.error(f"file not found in bundle: {name}", pointer)
        return []
    try:
        root = parse_xml(c.files[name])
    except XmlError as exc:
        c.error(f"malformed BPMN: {exc}", "", file=name)
        return []
    found = [p.get("id", "") for p in root.iter(f"{{{BPMN_NS}}}process")
             if p.get("isExecutable", "false").lower() == "true"]
    if not found:
        c.error("no executable process (isExecutable=\"true\") in this file", "", file=name)
    return found


def _lint(name: str, form_keys: set[str], known: list[str], c: Collector) -> None:
    issues = lint_bpmn(c.files[name], form_keys=form_keys, builtin_topics=c.builtin_topics,
                       allow_scripts=c.allow_scripts, known_processes=known)
    for issue in issues:
        report = c.error if issue.severity == "error" else c.warn
        element = f"#{issue.element_id}" if issue.element_id else ""
        report(f"{issue.message} [{issue.code}]", element, file=name)
