"""Every deploy check of a bundle, as a list of problems instead of one exception.

Why not just call ``parse_bundle``: deploy stops at the first failing layer and
only raises errors; the studio wants errors *and* warnings, each with a
severity, so it can mark fields and diagram elements while the analyst types.
The checks themselves are the deploy's own (manifest schema, references, forms,
texts, hooks, BPMN lint) — nothing is re-implemented here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bpmn.lint import BUILTIN_TOPICS, lint_bpmn
from runtime.bundles.archive import MANIFEST
from runtime.bundles.checks import Collector, check_references
from runtime.bundles.manifest import load_yaml, manifest_errors
from runtime.errors import ValidationFailed

Problem = dict[str, str]


def problem(file: str, path: str, message: str, severity: str = "error") -> Problem:
    """One problem: the file, a JSON Pointer (or ``#elementId`` in BPMN), the message."""
    return {"file": file, "path": path, "message": message, "severity": severity}


def validate_files(files: Mapping[str, bytes], *, allow_scripts: bool = False) -> list[Problem]:
    """All problems of a bundle; no errors means deploy will accept it."""
    if MANIFEST not in files:
        return [problem(MANIFEST, "", f"{MANIFEST} is missing")]
    try:
        manifest = load_yaml(files[MANIFEST])
    except ValidationFailed as exc:
        return _as_problems(exc.errors, "error")
    if not isinstance(manifest, dict):
        return [problem(MANIFEST, "", "the manifest must be a mapping")]
    errors = manifest_errors(manifest)
    if errors:  # references cannot be resolved in a malformed manifest: check files alone
        return _as_problems(errors, "error") + _standalone(files, manifest, allow_scripts)
    collector = Collector(dict(files), allow_scripts=allow_scripts,
                          builtin_topics=BUILTIN_TOPICS)
    check_references(manifest, collector)
    return _as_problems(collector.errors, "error") + _as_problems(collector.warnings, "warning")


def _as_problems(items: list[dict[str, Any]], severity: str) -> list[Problem]:
    return [problem(str(i.get("file", MANIFEST)), str(i.get("path", "")), str(i["message"]),
                    severity) for i in items]


def _standalone(files: Mapping[str, bytes], manifest: dict[str, Any], allow_scripts: bool
                ) -> list[Problem]:
    """Syntax of JSON files and lint of BPMN files, when the manifest cannot guide."""
    forms = manifest.get("forms")
    form_keys = list(forms) if isinstance(forms, dict) else []
    out: list[Problem] = []
    for name in sorted(files):
        if name.endswith(".json"):
            out += _json_problem(name, files[name])
        elif name.endswith(".bpmn"):
            for issue in lint_bpmn(files[name], form_keys=form_keys, allow_scripts=allow_scripts):
                element = f"#{issue.element_id}" if issue.element_id else ""
                out.append(problem(name, element, f"{issue.message} [{issue.code}]",
                                   issue.severity))
    return out


def _json_problem(name: str, data: bytes) -> list[Problem]:
    try:
        json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [problem(name, "", f"malformed JSON: {exc}")]
    return []


def has_errors(problems: list[Problem]) -> bool:
    return any(p["severity"] == "error" for p in problems)
