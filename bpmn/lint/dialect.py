"""Lint modes: ``strict`` for CaseStudio bundles, ``camunda`` for Camunda-compatible deploys.

Why two modes over the same rules: a case-type bundle is CaseStudio's own
format, and refusing there what the engine cannot run (Java delegates,
scripts, cron timers, DMN...) is the right answer at design time. Files
deployed through ``/engine-rest/deployment/create`` are Camunda's: Camunda
accepts valid BPMN whatever the engine can later do with it, and a client
migrating from Camunda must not see its deployments refused. In ``camunda``
mode such findings become warnings (still naming the element) — the
deployment is accepted and the element is a runtime concern — while
errors that Camunda itself would refuse stay errors: malformed or hostile
XML, duplicate or dangling ids, external tasks without a topic, and BPMN
elements Camunda 7 does not implement (complex gateways, ad-hoc
sub-processes) whose sequence flows Camunda cannot connect.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from lxml import etree

from bpmn.lint.support import LintIssue, local_name

LintMode = Literal["strict", "camunda"]
LINT_MODES: tuple[LintMode, ...] = ("strict", "camunda")

#: Findings about what CaseStudio runs, not about whether the BPMN is valid Camunda BPMN.
CAMUNDA_TOLERATED = frozenset({
    "java-delegate", "listener-unsupported", "script-task-refused", "dmn-unsupported",
    "expression-invalid", "timer-invalid", "multi-instance-invalid",
    "service-task-unimplemented", "gateway-condition-missing", "call-activity-invalid",
})
#: BPMN flow elements Camunda 7 does not implement: refused in both modes.
NOT_IN_CAMUNDA = frozenset({"complexGateway", "adHocSubProcess", "choreographyTask",
                            "subChoreography", "callChoreography"})
NOTE = " (accepted as Camunda does; the CaseStudio engine does not run it)"


def check_mode(mode: str) -> None:
    if mode not in LINT_MODES:
        raise ValueError(f"unknown lint mode {mode!r}; known: {', '.join(LINT_MODES)}")


def apply_mode(issues: list[LintIssue], mode: LintMode, root: etree._Element | None
               ) -> list[LintIssue]:
    """``issues`` as the given mode reports them (strict: unchanged)."""
    check_mode(mode)
    if mode == "strict" or root is None:
        return issues
    elements = {e.get("id"): e for e in root.iter(tag=etree.Element) if e.get("id")}
    return [_downgraded(issue) if _tolerated(issue, elements) else issue for issue in issues]


def _tolerated(issue: LintIssue, elements: dict[str | None, etree._Element]) -> bool:
    if issue.severity != "error":
        return False
    if issue.code in CAMUNDA_TOLERATED:
        return True
    if issue.code != "unsupported-element":
        return False
    element = elements.get(issue.element_id)
    return element is not None and local_name(element) not in NOT_IN_CAMUNDA


def _downgraded(issue: LintIssue) -> LintIssue:
    return replace(issue, severity="warning", message=issue.message + NOTE)
