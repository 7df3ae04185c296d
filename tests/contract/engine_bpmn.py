"""Small BPMN documents for the engine contract suite, built from flow snippets.

Why generated: each test states only the elements it is about; the document
boilerplate (namespaces, definitions, sequence flows) lives here once.
"""

from __future__ import annotations

import itertools

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def document(*processes: str, extra: str = "") -> bytes:
    """A definitions document holding the given ``<bpmn:process>`` elements."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:camunda="{CAMUNDA}" id="defs" '
            f'targetNamespace="http://casestudio.test">{extra}{"".join(processes)}'
            f"</bpmn:definitions>").encode()


def process(pid: str, *body: str, name: str | None = None) -> str:
    label = f' name="{name}"' if name else ""
    return f'<bpmn:process id="{pid}"{label} isExecutable="true">{"".join(body)}</bpmn:process>'


def bpmn(*body: str, pid: str = "p", extra: str = "") -> bytes:
    """One executable process ``pid`` with ``body`` inside."""
    return document(process(pid, *body), extra=extra)


def flow(*ids: str) -> str:
    """Sequence flows linking ``ids`` in order."""
    return "".join(f'<bpmn:sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
                   for a, b in itertools.pairwise(ids))


def cond(source: str, target: str, expression: str) -> str:
    """A conditional sequence flow (``&``/``<`` escaped)."""
    text = expression.replace("&", "&amp;").replace("<", "&lt;")
    return (f'<bpmn:sequenceFlow id="f_{source}_{target}" sourceRef="{source}" '
            f'targetRef="{target}"><bpmn:conditionExpression>{text}'
            f"</bpmn:conditionExpression></bpmn:sequenceFlow>")


def start(sid: str = "start", inner: str = "") -> str:
    return f'<bpmn:startEvent id="{sid}">{inner}</bpmn:startEvent>'


def end(eid: str = "end", inner: str = "") -> str:
    return f'<bpmn:endEvent id="{eid}">{inner}</bpmn:endEvent>'


def user(tid: str, attrs: str = "", inner: str = "") -> str:
    return f'<bpmn:userTask id="{tid}" name="{tid.title()}" {attrs}>{inner}</bpmn:userTask>'


def external(tid: str, topic: str, inner: str = "", attrs: str = "") -> str:
    return (f'<bpmn:serviceTask id="{tid}" camunda:type="external" camunda:topic="{topic}" '
            f"{attrs}>{inner}</bpmn:serviceTask>")


def inputs(**params: str) -> str:
    body = "".join(f'<camunda:inputParameter name="{k}">{v}</camunda:inputParameter>'
                   for k, v in params.items())
    return f"<bpmn:extensionElements><camunda:inputOutput>{body}</camunda:inputOutput>" \
           "</bpmn:extensionElements>"


def timer(kind: str, value: str) -> str:
    """``kind``: timeDuration | timeDate | timeCycle."""
    return (f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}>"
            f"</bpmn:timerEventDefinition>")


def message_ref(ref: str) -> str:
    return f'<bpmn:messageEventDefinition messageRef="{ref}"/>'


def messages(**names: str) -> str:
    """``<bpmn:message>`` declarations: id=name."""
    return "".join(f'<bpmn:message id="{mid}" name="{name}"/>' for mid, name in names.items())


def catch(cid: str, inner: str) -> str:
    return f'<bpmn:intermediateCatchEvent id="{cid}">{inner}</bpmn:intermediateCatchEvent>'


def boundary(bid: str, attached: str, inner: str, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    return (f'<bpmn:boundaryEvent id="{bid}" attachedToRef="{attached}" '
            f'cancelActivity="{cancel}">{inner}</bpmn:boundaryEvent>')


def gateway(kind: str, gid: str, default: str | None = None) -> str:
    attr = f' default="{default}"' if default else ""
    return f'<bpmn:{kind} id="{gid}"{attr}/>'


def simple_user_process(pid: str = "p", attrs: str = "") -> bytes:
    """start -> userTask ``review`` -> end."""
    return bpmn(start(), user("review", attrs), end(), flow("start", "review", "end"), pid=pid)
