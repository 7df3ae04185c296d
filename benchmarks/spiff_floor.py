"""The bare SpiffWorkflow floor for the runtime benchmarks, on the bench BPMN.

Why measure it in the same run: the machine (2 shared cores here) changes
from run to run; a floor taken alongside says how much of each figure is the
BPMN library itself and how much is ours (database, projections, HTTP, auth,
audit, outbox). Stock ``CamundaParser`` + ``BpmnWorkflowSerializer`` with the
Camunda config, in memory, one thread. The stock script engine evaluates Python,
so the one condition ``${again}`` is given to it as ``again`` — same semantics.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from benchmarks.runtime_server import LOOP_BPMN, PROCESS_ID


def _spec() -> Any:
    parser = CamundaParser()
    parser.add_bpmn_str(LOOP_BPMN.replace(b"${again}", b"again"))
    return parser.get_spec(PROCESS_ID)


def _user_task(workflow: BpmnWorkflow) -> Any:
    return next(t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual)


def floor(seconds: float) -> dict[str, float]:
    """``starts_per_s``: start-to-first-wait + serialize; ``step_ms``: deserialize the
    first wait, complete the user task (loop again), run to the next wait, serialize.

    Steps restart from the first wait: stock Spiff keeps every looped task in its
    tree, so its own step cost grows with history — the floor is the short-history one.
    """
    spec = _spec()
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    starts, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds / 2:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        starts += 1
    rate = starts / (time.perf_counter() - began)
    waiting = state
    steps: list[float] = []
    began = time.perf_counter()
    while time.perf_counter() - began < seconds / 2:
        tick = time.perf_counter()
        workflow = serializer.deserialize_json(waiting)  # always from the first wait
        task = _user_task(workflow)
        task.data.update({"again": True, "n": len(steps)})
        task.run()
        workflow.do_engine_steps()
        serializer.serialize_json(workflow)
        steps.append((time.perf_counter() - tick) * 1000)
    return {"starts_per_s": rate, "step_ms": statistics.median(steps),
            "state_bytes": float(len(waiting))}
