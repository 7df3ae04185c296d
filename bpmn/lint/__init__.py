"""Static deploy checks of a Camunda-flavoured BPMN document, independent of the engine.

Why before the engine: an analyst should hear "flow X leaves the gateway without a
condition" or "form key 'review' is not in this bundle" at deploy time, with the
element id, rather than an incident when a case reaches that point. Only
executable processes are checked (``isExecutable="true"``, as Camunda requires
for a new deployment); diagram data, lanes, annotations, collaborations and data
objects are ignored. ``Start``/``End`` ids are fine: the engine renames them.
"""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from bpmn.errors import XmlError
from bpmn.lint.dialect import CAMUNDA_TOLERATED, LINT_MODES, LintMode, apply_mode, check_mode
from bpmn.lint.elements import check_element
from bpmn.lint.structure import check_ids, walk
from bpmn.lint.support import (
    BUILTIN_TOPICS,
    EXPRESSION_ATTRIBUTES,
    IGNORED_ELEMENTS,
    JAVA_ATTRIBUTES,
    REFERENCE_ATTRIBUTES,
    RESERVED_ID_PREFIXES,
    RESERVED_ID_SUFFIXES,
    RESERVED_TOPIC_PREFIXES,
    SUPPORTED_ELEMENTS,
    SUPPORTED_EVENTS,
    UNSUPPORTED_CHILDREN,
    Lint,
    LintIssue,
    Severity,
    bpmn_tag,
)
from bpmn.xml import normalize_namespaces, parse_xml

__all__ = [
    "BUILTIN_TOPICS",
    "CAMUNDA_TOLERATED",
    "EXPRESSION_ATTRIBUTES",
    "IGNORED_ELEMENTS",
    "JAVA_ATTRIBUTES",
    "LINT_MODES",
    "REFERENCE_ATTRIBUTES",
    "RESERVED_ID_PREFIXES",
    "RESERVED_ID_SUFFIXES",
    "RESERVED_TOPIC_PREFIXES",
    "SUPPORTED_ELEMENTS",
    "SUPPORTED_EVENTS",
    "UNSUPPORTED_CHILDREN",
    "LintIssue",
    "LintMode",
    "Severity",
    "lint_bpmn",
]


def lint_bpmn(data: bytes, *, form_keys: Collection[str] = (),
              builtin_topics: Collection[str] = BUILTIN_TOPICS, allow_scripts: bool = False,
              known_processes: Collection[str] = (), mode: LintMode = "strict"
              ) -> list[LintIssue]:
    """All problems of one BPMN document, in document order; never raises on bad input.

    ``form_keys``: the bundle's task forms (``camunda:formKey="form:<key>"``);
    ``known_processes``: process ids deployed alongside, for call activities;
    ``mode``: ``"camunda"`` reports what only CaseStudio refuses as warnings
    (see `bpmn.lint.dialect`), for deployments through ``/engine-rest``.
    """
    check_mode(mode)
    try:
        root = normalize_namespaces(parse_xml(data))
    except XmlError as exc:
        return [LintIssue("error", None, f"malformed BPMN: {exc}", "xml-invalid")]
    lint = Lint(frozenset(form_keys), frozenset(builtin_topics), allow_scripts,
                frozenset(known_processes))
    if root.tag != bpmn_tag("definitions"):
        lint.report(None, "not-bpmn", "the document is not BPMN 2.0 (no bpmn:definitions)")
        return lint.issues
    check_ids(root, lint)
    processes = root.findall(bpmn_tag("process"))
    executable = [p for p in processes if (p.get("isExecutable") or "").lower() == "true"]
    if not executable:
        _no_executable(processes, lint)
    for process in executable:
        walk(process, lint, event_subprocess=False)
        for element in process.iter(tag=etree.Element):
            check_element(element, lint)
    return apply_mode(lint.issues, mode, root)


def _no_executable(processes: list[etree._Element], lint: Lint) -> None:
    missing = [p for p in processes if p.get("isExecutable") is None]
    hint = (' (Camunda deploys only processes with isExecutable="true"; '
            f"process {missing[0].get('id')!r} has no isExecutable attribute)" if missing else "")
    lint.issues.append(LintIssue("error", processes[0].get("id") if processes else None,
                                 f"no executable process{hint}", "no-executable-process"))
