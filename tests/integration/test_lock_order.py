"""Case first, then instance: a timer firing while an API call holds the case cannot deadlock.

Why this test exists: an API call that changes a case (task completion, patch) locks the
case row, then the process instance; the job executor locks the instance, then writes
the case through listeners (history rows reference the case, so PostgreSQL takes a key
lock on it) — here a hook moves the case to another stage when the timer opens a
task. In opposite orders those two transactions deadlock. The engine now locks the
case before the instance (``lock_business_keys_first``), so the timer waits for the API
call instead. The scenario is built step by step with real row locks on PostgreSQL
(SQLite serializes writers with BEGIN IMMEDIATE and cannot deadlock this way).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models.cases import Case
from models.engine import EngineInstance, EngineJob
from tests.contract.engine_bpmn import boundary, bpmn, end, flow, start, timer, user
from tests.drive import Driver, driven_app
from tests.support import zip_files

BPMN = bpmn(start(), user("Task_Work", 'camunda:candidateGroups="worker"'),
            boundary("Timer_Chase", "Task_Work", timer("timeDuration", "PT1H"),
                     interrupting=False),
            user("Task_Chase", 'camunda:candidateGroups="worker"'), end(), end("end_chase"),
            flow("start", "Task_Work", "end"), flow("Timer_Chase", "Task_Chase", "end_chase"),
            pid="chase")
MANIFEST = """key: chase
name: Chase
numbering: "CH-{seq:04}"
schema: forms/case.schema.json
title: "{{ data.title }}"
stages: [{key: open, name: Open}, {key: chasing, name: Chasing}]
process: processes/chase.bpmn
hooks: [{on: task.created, task: Task_Chase, set: {stage: chasing}}]
permissions: {create: [worker], read: [worker], update: [worker], manage: [analyst]}
"""
SCHEMA = {"type": "object", "properties": {"title": {"type": "string"}}}


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Driver]:
    with driven_app("postgresql", tmp_path_factory.mktemp("locks")) as d:
        bundle = zip_files({"case-type.yaml": MANIFEST.encode(),
                            "forms/case.schema.json": json.dumps(SCHEMA).encode(),
                            "processes/chase.bpmn": BPMN})
        assert d.api("analyst").deploy(bundle).status_code == 201
        yield d


def test_a_timer_waits_for_the_case_lock_instead_of_deadlocking(driver: Driver) -> None:
    case = driver.create("chase", {"title": "late reply"})
    db = driver.container.db
    with db.session() as s:
        instance_id = s.scalar(select(Case.process_instance_id).where(Case.id == case["id"]))
        assert s.scalar(select(EngineJob.id).where(EngineJob.instance_id == instance_id))
    outcome: dict[str, Any] = {}

    def fire() -> None:
        try:
            outcome["fired"] = driver.container.engine.run_due_jobs(
                now=datetime.now(UTC) + timedelta(hours=2))
        except Exception as exc:  # the test reports what happened, not a thread trace
            outcome["error"] = exc

    with db.session() as api_call:  # an API call: the case first ...
        api_call.execute(select(Case.id).where(Case.id == case["id"]).with_for_update())
        timer_thread = threading.Thread(target=fire)
        timer_thread.start()
        timer_thread.join(1.5)  # the timer is now blocked on one of our locks
        assert timer_thread.is_alive(), "the timer should wait for the API call's case lock"
        # ... then the instance. Had the timer locked the instance first, this would
        # wait for it while it waits for us: PostgreSQL would abort one with a deadlock.
        api_call.execute(select(EngineInstance.id).where(EngineInstance.id == instance_id)
                         .with_for_update())
    timer_thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome.get("fired") == 1
    assert sorted(t["taskDefinitionKey"] for t in driver.tasks(case["id"])) == \
        ["Task_Chase", "Task_Work"]
    assert driver.case(case["id"])["stage"] == "chasing"


def test_lock_hooks_are_only_used_where_writers_can_interleave(tmp_path: Path) -> None:
    with driven_app("sqlite", tmp_path) as d:
        assert d.container.engine.ctx.lock_hooks == []
