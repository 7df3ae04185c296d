"""Rules about single elements anywhere in an executable process.

Expressions and timers must parse, forms and topics must be known, and Java-only
or script constructs are refused with the CaseStudio alternative in the message.
"""

from __future__ import annotations

from lxml import etree

from bpmn.errors import ExpressionError
from bpmn.expressions import TimerKind, is_expression, parse_timer
from bpmn.lint.support import (
    EXPRESSION_ATTRIBUTES,
    JAVA_ATTRIBUTES,
    RESERVED_TOPIC_PREFIXES,
    Lint,
    Rule,
    bpmn_children,
    bpmn_tag,
    camunda_tag,
    local_name,
)
from bpmn.xml import BPMN_NS

_CONDITION_LANGUAGES = frozenset({"", "juel", "python"})
_TIMER_KINDS: dict[str, TimerKind] = {
    "timeDuration": "duration", "timeDate": "date", "timeCycle": "cycle"}
_FORM_SCHEME = "form:"


def check_element(element: etree._Element, lint: Lint) -> None:
    """Rules about one element anywhere inside an executable process."""
    rule = _ELEMENT_RULES.get(element.tag)
    if rule is not None:
        rule(element, lint)
    for name, value in element.attrib.items():
        local = etree.QName(name).localname
        if local in EXPRESSION_ATTRIBUTES and is_expression(value):
            lint.expression(element, value, local)
    if element.tag.startswith(f"{{{BPMN_NS}}}"):
        _check_attributes(element, lint)


def _check_attributes(element: etree._Element, lint: Lint) -> None:
    for java in JAVA_ATTRIBUTES:
        if element.get(camunda_tag(java)):
            lint.report(element, "java-delegate", f"camunda:{java} on {local_name(element)}: Java "
                        'delegates are not supported; use camunda:type="external"')
    _check_type(element, lint)
    _check_form(element, lint)


def _check_type(element: etree._Element, lint: Lint) -> None:
    kind = element.get(camunda_tag("type"))
    if kind is None:
        return
    if kind != "external":
        lint.report(element, "java-delegate", f'camunda:type="{kind}" is not supported; '
                    'use camunda:type="external"')
        return
    topic = (element.get(camunda_tag("topic")) or "").strip()
    if not topic:
        lint.report(element, "topic-missing", "external task without a camunda:topic")
    elif topic.startswith(RESERVED_TOPIC_PREFIXES) and topic not in lint.builtin_topics:
        lint.report(element, "topic-unknown", f"unknown built-in topic {topic!r}; known: "
                    f"{', '.join(sorted(lint.builtin_topics))}")


def _check_form(element: etree._Element, lint: Lint) -> None:
    key = element.get(camunda_tag("formKey"))
    if element.get(camunda_tag("formRef")):
        lint.warn(element, "form-key-unsupported", "camunda:formRef (Camunda Forms) is not "
                  "rendered by CaseStudio; use formKey=\"form:<key>\"")
    if key is None:
        return
    if not key.startswith(_FORM_SCHEME):
        lint.warn(element, "form-key-unsupported", f"formKey {key!r} is not rendered by "
                  "CaseStudio; use formKey=\"form:<key>\"")
    elif key[len(_FORM_SCHEME):] not in lint.form_keys:
        lint.report(element, "form-key-unknown", f"form key {key[len(_FORM_SCHEME):]!r} is "
                    "not a form of this bundle")


def _check_condition(element: etree._Element, lint: Lint) -> None:
    language = (element.get("language") or "").lower()
    if language not in _CONDITION_LANGUAGES or element.get(camunda_tag("resource")):
        lint.report(element, "expression-invalid", f"conditions in {language or 'resources'} "
                    "are not supported; use an expression like ${amount > 1000}")
    elif (element.text or "").strip():
        lint.expression(element, element.text or "", "condition")


def _check_text_expression(element: etree._Element, lint: Lint) -> None:
    if (element.text or "").strip():
        lint.expression(element, element.text or "", local_name(element))


def _check_parameter(element: etree._Element, lint: Lint) -> None:
    if len(element) == 0 and is_expression(element.text or ""):
        lint.expression(element, element.text or "", f"parameter {element.get('name')!r}")


def _check_timer(element: etree._Element, lint: Lint) -> None:
    text = (element.text or "").strip()
    if is_expression(text):
        lint.expression(element, text, "timer expression")
        return
    try:
        parse_timer(text, kind=_TIMER_KINDS[local_name(element)])
    except ExpressionError as exc:
        lint.report(element, "timer-invalid", f"invalid {local_name(element)}: {exc.message}")


def _check_timer_definition(element: etree._Element, lint: Lint) -> None:
    if not any(local_name(c) in _TIMER_KINDS for c in bpmn_children(element)):
        lint.report(element, "timer-invalid", "timer without timeDuration, timeDate or timeCycle")


def _refuse(code: str, message: str) -> Rule:
    return lambda element, lint: lint.report(element, code, message)


_ELEMENT_RULES: dict[str, Rule] = {
    bpmn_tag("conditionExpression"): _check_condition,
    bpmn_tag("completionCondition"): _check_text_expression,
    bpmn_tag("loopCardinality"): _check_text_expression,
    bpmn_tag("timerEventDefinition"): _check_timer_definition,
    **{bpmn_tag(kind): _check_timer for kind in _TIMER_KINDS},
    camunda_tag("inputParameter"): _check_parameter,
    camunda_tag("outputParameter"): _check_parameter,
    camunda_tag("executionListener"): _refuse(
        "listener-unsupported", "execution listeners are not supported; model the step "
        'as an external task (camunda:type="external")'),
    camunda_tag("taskListener"): _refuse(
        "listener-unsupported", "task listeners are not supported; use hooks in "
        "case-type.yaml or an external task"),
    camunda_tag("connector"): _refuse(
        "java-delegate", 'Camunda connectors are not supported; use camunda:type="external"'),
    camunda_tag("script"): _refuse(
        "script-task-refused", "scripts in input/output mappings are not supported"),
}
