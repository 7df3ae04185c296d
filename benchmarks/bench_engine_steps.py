"""Embedded engine: step cost at history length 1 vs 1,000, state size, bare floor.

DESIGN §8: completing a step must cost the same whatever the instance's history
length (task 1,000 within 1.5x of task 1) and a waiting instance stores at most
10 KB. A looping process (user task -> exclusive gateway -> back) is completed
``--steps`` times through the `Engine` API; the median of the first and the
last window of steps are compared. The bare floor is SpiffWorkflow alone:
start-to-first-wait + serialize with the stock serializer, in memory.

    .venv/bin/python -m benchmarks.bench_engine_steps [--steps 1000] [--window 50]
        [--postgres] [--json]

Exits 1 when the last window is slower than 1.5x the first or the state exceeds 10 KB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from typing import Any

import psycopg
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

import models
from bpmn.embedded import EmbeddedEngine
from bpmn.engine_types import TaskQuery
from models.base import Base
from models.db import Database
from models.engine import EngineInstance
from tests.contract.engine_bpmn import bpmn, cond, end, flow, gateway, start, user

RATIO_BUDGET = 1.5
STATE_BUDGET = 10_000
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
LOOP = bpmn(start(), gateway("exclusiveGateway", "merge"),
            user("step", 'camunda:candidateGroups="clerks" camunda:formKey="form:step"'),
            gateway("exclusiveGateway", "again", default="f_again_end"), end(),
            flow("start", "merge", "step", "again"), cond("again", "merge", "${n < 1000000}"),
            flow("again", "end"), pid="loop")


def step_costs(engine: EmbeddedEngine, steps: int) -> tuple[list[float], str]:
    """Milliseconds per completion (find the task + complete it), in order."""
    engine.deploy("bench", {"loop.bpmn": LOOP})
    instance = engine.start("loop", business_key="bench", variables={"n": 0, "title": "x" * 80})
    costs = []
    for n in range(1, steps + 1):
        began = time.perf_counter()
        [task] = engine.tasks(TaskQuery(process_instance_id=instance.id))
        engine.complete(task.id, {"n": n, "note": f"step {n}"})
        costs.append((time.perf_counter() - began) * 1000)
    return costs, instance.id


def state_size(db: Database, instance_id: str) -> int:
    with db.session() as session:
        row = session.get(EngineInstance, instance_id)
        return len(row.blob or b"") if row else 0


def bare_floor(seconds: float = 1.0) -> float:
    """Stock SpiffWorkflow: start-to-first-wait + serialize, per second (one core)."""
    parser = CamundaParser()
    parser.add_bpmn_str(LOOP)
    spec = parser.get_spec("loop")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        serializer.serialize_json(workflow)
        done += 1
    return done / (time.perf_counter() - began)


def run(url: str, steps: int, window: int) -> dict[str, Any]:
    db = Database(url)
    Base.metadata.create_all(db.engine)
    try:
        costs, instance_id = step_costs(EmbeddedEngine(db), steps)
        first = statistics.median(costs[:window])
        last = statistics.median(costs[-window:])
        return {"database": db.dialect, "steps": steps, "first_ms": round(first, 3),
                "last_ms": round(last, 3), "ratio": round(last / first, 3),
                "state_bytes": state_size(db, instance_id)}
    finally:
        db.dispose()


def postgres_url(stack: ExitStack) -> str:
    name = "cs_bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    stack.callback(drop)
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--window", type=int, default=50)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    assert models.engine_tables is not None
    results = []
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        urls = [f"sqlite:///{folder}/bench.db"]
        if args.postgres:
            urls.append(postgres_url(stack))
        results = [run(url, args.steps, args.window) for url in urls]
    floor = round(bare_floor(), 1)
    if args.json:
        print(json.dumps({"results": results, "bare_spiff_starts_per_s": floor}))
    else:
        for r in results:
            print(f"{r['database']:>10}: step 1..{args.window} {r['first_ms']} ms, "
                  f"last {args.window} of {r['steps']} {r['last_ms']} ms (x{r['ratio']}), "
                  f"waiting state {r['state_bytes']} B")
        print(f"bare SpiffWorkflow floor: {floor} start-to-first-wait+serialize/s")
    ok = all(r["ratio"] <= RATIO_BUDGET and r["state_bytes"] <= STATE_BUDGET for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
