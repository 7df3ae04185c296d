"""``lint_bpmn(..., mode="camunda")``: Camunda's deploy rules over CaseStudio's lint."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmn.lint import CAMUNDA_TOLERATED, LintIssue, lint_bpmn
from bpmn.xml import BPMN_NS, CAMUNDA_NS
from tests.contract.engine_bpmn import flow

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "bpmn"
#: Findings the engine's deploy ignores too (they depend on a bundle).
CONTEXT = {"form-key-unknown", "topic-unknown", "reference-unknown"}
FLOW = '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'


def doc(body: str) -> bytes:
    return (f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:camunda="{CAMUNDA_NS}" id="d">'
            f'<bpmn:process id="p" isExecutable="true">{FLOW}{body}</bpmn:process>'
            "</bpmn:definitions>").encode()


def errors(issues: list[LintIssue]) -> list[tuple[str, str | None]]:
    return [(i.code, i.element_id) for i in issues if i.severity == "error"]


JAVA = '<bpmn:serviceTask id="java" camunda:class="org.example.Charge"/>'
SCRIPT = '<bpmn:scriptTask id="calc" scriptFormat="groovy"><bpmn:script>x</bpmn:script>' \
         "</bpmn:scriptTask>"
CRON = '<bpmn:intermediateCatchEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>' \
       "0 0 12 L * ?</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
LISTENER = '<bpmn:userTask id="u"><bpmn:extensionElements><camunda:executionListener ' \
           'class="org.example.L" event="start"/></bpmn:extensionElements></bpmn:userTask>'
COMPENSATE = '<bpmn:boundaryEvent id="undo" attachedToRef="u2"><bpmn:compensateEventDefinition' \
             '/></bpmn:boundaryEvent><bpmn:userTask id="u2"/>'


@pytest.mark.parametrize(("body", "element"), [
    (JAVA, "java"), (SCRIPT, "calc"), (CRON, "tick"), (LISTENER, "u"), (COMPENSATE, "undo")])
def test_what_only_casestudio_refuses_becomes_a_warning_naming_the_element(
        body: str, element: str) -> None:
    data = doc(body)
    strict = lint_bpmn(data)
    camunda = lint_bpmn(data, mode="camunda")
    assert element in {e for _, e in errors(strict)}
    assert errors(camunda) == []
    warned = [i for i in camunda if i.element_id == element and i.severity == "warning"]
    assert warned and all("accepted as Camunda does" in i.message for i in warned)
    assert {i.code for i in warned} <= CAMUNDA_TOLERATED | {"unsupported-element"}


@pytest.mark.parametrize(("body", "code", "element"), [
    ('<bpmn:complexGateway id="cx"/>' + flow("s", "cx", "e"), "unsupported-element", "cx"),
    ('<bpmn:serviceTask id="ext" camunda:type="external"/>', "topic-missing", "ext"),
    ('<bpmn:userTask id="s"/>', "duplicate-id", "s"),
])
def test_what_camunda_refuses_too_stays_an_error(body: str, code: str, element: str) -> None:
    assert (code, element) in errors(lint_bpmn(doc(body), mode="camunda"))


def test_hostile_documents_stay_errors_and_unknown_modes_are_refused() -> None:
    evil = b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    assert errors(lint_bpmn(evil, mode="camunda")) == [("xml-invalid", None)]
    with pytest.raises(ValueError, match="unknown lint mode 'lenient'"):
        lint_bpmn(doc(""), mode="lenient")  # type: ignore[arg-type]


def test_strict_mode_is_the_default_and_unchanged() -> None:
    data = doc(JAVA + SCRIPT)
    assert lint_bpmn(data) == lint_bpmn(data, mode="strict")
    assert {c for c, _ in errors(lint_bpmn(data))} == {"java-delegate", "script-task-refused"}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no BPMN corpus next to the repository")
def test_camunda_mode_lint_accepts_the_whole_reference_corpus() -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.name.endswith((".bpmn", ".bpmn20.xml")))
    refused = {p.name: errors([i for i in lint_bpmn(p.read_bytes(), mode="camunda")
                               if i.code not in CONTEXT]) for p in files}
    assert len(files) == 99
    assert {name: found for name, found in refused.items() if found} == {}
