"""The modeler's lint: the deploy-time BPMN checks, answered per diagram element.

Why the same strict lint as deploy: what the diagram marks is exactly what deploy
would refuse or warn about, so an analyst fixes problems while drawing instead of
after pressing Deploy. The XML goes through ``bpmn.xml`` (no entities, no network,
size-limited) inside ``lint_bpmn``.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn.lint import lint_bpmn
from runtime.errors import BadRequest
from studio.web import services
from studio.widgets import bp, builtin_topics
from studio.widgets.payload import read_payload

FORM_SCHEME = "form:"


def form_keys(values: list[Any]) -> list[str]:
    """Bundle form keys, given bare (``review``) or as used in BPMN (``form:review``)."""
    keys = (str(v).strip() for v in values if isinstance(v, str))
    return [k[len(FORM_SCHEME):] if k.startswith(FORM_SCHEME) else k for k in keys if k]


def lint_issues(xml: str, keys: list[str], processes: list[str]) -> list[dict[str, Any]]:
    """Strict-mode lint findings as ``{elementId, message, severity, code}``."""
    issues = lint_bpmn(xml.encode("utf-8"), form_keys=keys, builtin_topics=builtin_topics(),
                       allow_scripts=services().settings.allow_scripts,
                       known_processes=processes, mode="strict")
    return [{"elementId": i.element_id, "message": i.message, "severity": i.severity,
             "code": i.code} for i in issues]


@bp.post("/bpmn-lint")
def bpmn_lint() -> Any:
    """``xml`` (+ optional ``formKeys``, ``knownProcesses``) -> JSON list of findings."""
    payload = read_payload()
    xml = payload.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise BadRequest("xml is required", errors=[{"path": "/xml",
                                                     "message": "is required"}])
    keys = form_keys(payload.get_list("formKeys"))
    processes = [str(p) for p in payload.get_list("knownProcesses")]
    return jsonify(lint_issues(xml, keys, processes))
