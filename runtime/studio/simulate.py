"""Test runs: a case walked through a draft's process in a throwaway engine.

Why replay instead of a stored sandbox: each request rebuilds a private engine
on an in-memory SQLite database, deploys the draft, starts it with the sample
data and replays the steps taken so far (``run``). Nothing is kept on the
server, so test runs survive restarts, work behind several replicas, never
leak, and never touch real cases: the sandbox has no case tables at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bpmn.embedded import EmbeddedEngine
from bpmn.engine import EngineEvent, ExternalTaskQuery, JobQuery, TaskQuery, TopicRequest
from bpmn.engine_errors import EngineError
from forms import clean
from models.base import Base
from models.db import Database
from runtime.bundles.model import parse_bundle
from runtime.errors import ValidationFailed
from runtime.studio.sim_case import SimCase, SimError
from runtime.studio.sim_topics import run_topic

WORKER = "studio-sandbox"
MAX_ROUNDS = 200
MAX_STEPS = 200
FORM_PREFIX = "form:"


class _Clock:
    """The sandbox's time: fixed, moved forward only by a ``timers`` step."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def simulate(files: Mapping[str, bytes], run: Mapping[str, Any], *,
             allow_scripts: bool = False) -> dict[str, Any]:
    """Replay ``run`` = ``{data, steps}`` on ``files``; the state after the last step."""
    data, steps = _run_parts(run)
    bundle = parse_bundle(dict(files), allow_scripts=allow_scripts)
    sandbox = Sandbox(bundle.definition, bundle.processes, allow_scripts)
    try:
        sandbox.start(data)
        for index, step in enumerate(steps):
            sandbox.step(step, f"/steps/{index}")
        return {"run": {"data": data, "steps": steps}, **sandbox.state()}
    finally:
        sandbox.close()


def _run_parts(run: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    data, steps = run.get("data") or {}, run.get("steps") or []
    if not isinstance(data, dict):
        raise ValidationFailed("sample data must be an object",
                               errors=[{"path": "/data", "message": "must be an object"}])
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ValidationFailed("steps must be a list of objects",
                               errors=[{"path": "/steps", "message": "must be a list of objects"}])
    if len(steps) > MAX_STEPS:
        raise ValidationFailed("too many steps", errors=[
            {"path": "/steps", "message": f"at most {MAX_STEPS} steps"}])
    return dict(data), [dict(s) for s in steps]


class Sandbox:
    """One private engine plus the simulated case it drives."""

    def __init__(self, definition: dict[str, Any], processes: dict[str, bytes],
                 allow_scripts: bool) -> None:
        self.definition = definition
        self.clock = _Clock()
        self.db = Database("sqlite://")
        engine_tables = [t for t in Base.metadata.sorted_tables if t.name.startswith("engine_")]
        Base.metadata.create_all(self.db.engine, tables=engine_tables)
        self.engine = EmbeddedEngine(self.db, allow_scripts=allow_scripts, clock=self.clock)
        self.engine.add_listener(self._on_event)
        if processes:
            self.engine.deploy(definition["key"], processes, source="studio-sandbox")
        self.case: SimCase | None = None
        self.instance_id: str | None = None
        self.incidents: list[dict[str, str]] = []

    def close(self) -> None:
        self.db.dispose()

    def start(self, data: dict[str, Any]) -> None:
        cleaned, errors = clean(self.definition["schema"], data)
        if errors:
            raise ValidationFailed("the sample data is invalid", errors=[
                {"path": "/data" + e.path, "message": e.message} for e in errors])
        self.case = SimCase.new(self.definition, dict(cleaned), self.clock())
        process_id = self.definition.get("processId")
        if not process_id:
            self.case.note("process", "this case type has no process")
            return
        variables = {**self.case.data, "caseId": "sandbox", "caseNumber": self.case.number,
                     "caseType": self.definition["key"]}
        self.instance_id = self._engine(lambda: self.engine.start(
            process_id, business_key="sandbox", variables=variables).id)
        self._drain()

    def step(self, step: dict[str, Any], pointer: str) -> None:
        """Complete a waiting user task (``{task, data, variables}``: ``variables`` are
        extra process variables, e.g. to steer a gateway) or fire due timers (``{timers}``)."""
        if step.get("timers"):
            self._fire_timers()
        else:
            self._complete(step, pointer)
        self._drain()

    def _complete(self, step: dict[str, Any], pointer: str) -> None:
        task = next((t for t in self._waiting() if t.task_definition_key == step.get("task")),
                    None)
        if task is None:
            message = f"no waiting user task {step.get('task')!r}"
            raise ValidationFailed("no such waiting task",
                                   errors=[{"path": pointer + "/task", "message": message}])
        values = self._form_values(task.form_key, step.get("data") or {}, pointer + "/data")
        self._update_case(values, task.name or task.task_definition_key)
        extra = step.get("variables") or {}
        if not isinstance(extra, dict):
            raise ValidationFailed("variables must be an object", errors=[
                {"path": pointer + "/variables", "message": "must be an object"}])
        self._engine(lambda: self.engine.complete(task.id, {**values, **extra}))

    def _form_values(self, form_key: str | None, data: Any, pointer: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ValidationFailed("task data must be an object",
                                   errors=[{"path": pointer, "message": "must be an object"}])
        form = self.form(form_key)
        if form is None:
            return dict(data)
        cleaned, errors = clean(form["schema"], data)
        if errors:
            raise ValidationFailed("the task form is invalid", errors=[
                {"path": pointer + e.path, "message": e.message} for e in errors])
        return dict(cleaned)

    def _update_case(self, values: dict[str, Any], task_name: str) -> None:
        """Task fields that are case fields update the case (as the runtime does)."""
        assert self.case is not None
        shared = {k: v for k, v in values.items()
                  if k in self.definition["schema"].get("properties", {})}
        if shared:
            self._guarded(lambda: self.case.apply({"data": shared}, by=f"task {task_name}"),
                          task_name)

    def _fire_timers(self) -> None:
        jobs = [j for j in self.engine.jobs(JobQuery()) if j.due is not None]
        if not jobs:
            raise ValidationFailed("no timer is waiting", errors=[
                {"path": "/timers", "message": "no timer is waiting"}])
        self.clock.now = max(self.clock.now, min(j.due for j in jobs if j.due))
        assert self.case is not None
        self.case.note("timer", f"time moves to {self.clock.now.isoformat()}")
        self._engine(lambda: self.engine.run_due_jobs(now=self.clock.now))

    def _drain(self) -> None:
        """Run the built-in topics (and stand in for other workers) until nothing is left."""
        for _ in range(MAX_ROUNDS):
            topics = sorted({t.topic for t in self.engine.external_tasks(ExternalTaskQuery())})
            locked = self.engine.fetch_and_lock(
                WORKER, [TopicRequest(topic=t, lock_duration_ms=3_600_000) for t in topics], 50)
            if not locked:
                return
            for task in locked:
                self._handle(task)
        assert self.case is not None
        self.case.note("error", f"stopped after {MAX_ROUNDS} rounds of service tasks (a loop?)")

    def _handle(self, task: Any) -> None:
        assert self.case is not None
        try:
            run_topic(self.case, task.topic, dict(task.variables), task.activity_id)
        except SimError as exc:
            self.incidents.append({"activityId": task.activity_id, "topic": task.topic,
                                   "message": str(exc)})
            self.case.note("incident", f"{task.activity_id} ({task.topic}): {exc}")
            return
        self._engine(lambda: self.engine.complete_external(task.id, WORKER))

    def _guarded(self, fn: Any, where: str) -> None:
        assert self.case is not None
        try:
            fn()
        except SimError as exc:
            self.case.note("error", f"{where}: {exc}")

    def _on_event(self, _session: Any, event: EngineEvent) -> None:
        if self.case is not None and event.type in ("task.created", "task.completed"):
            self._guarded(lambda: self.case.fire(event.type, dict(event.data)), event.type)

    def _engine(self, fn: Any) -> Any:
        try:
            return fn()
        except EngineError as exc:
            raise ValidationFailed("the process failed in the sandbox", errors=[
                {"path": "", "message": exc.message}]) from None

    def _waiting(self) -> list[Any]:
        if self.instance_id is None:
            return []
        return self.engine.tasks(TaskQuery(process_instance_id=self.instance_id))

    def form(self, form_key: str | None) -> dict[str, Any] | None:
        if not form_key or not form_key.startswith(FORM_PREFIX):
            return None
        return self.definition.get("forms", {}).get(form_key.removeprefix(FORM_PREFIX))

    def state(self) -> dict[str, Any]:
        """What the page shows: the case, waiting tasks with forms, the path, the log."""
        assert self.case is not None
        return {"case": self.case.as_dict(), "waiting": [self._task_view(t)
                                                         for t in self._waiting()],
                "timers": [{"activityId": j.activity_id, "due": j.due.isoformat()}
                           for j in self.engine.jobs(JobQuery()) if j.due is not None],
                "path": self._path(), "stageChanges": self.case.stage_changes,
                "incidents": self.incidents, "log": self.case.log, "ended": self._ended()}

    def _task_view(self, task: Any) -> dict[str, Any]:
        form = self.form(task.form_key)
        return {"task": task.task_definition_key, "name": task.name, "formKey": task.form_key,
                "candidateGroups": list(task.candidate_groups), "assignee": task.assignee,
                "form": form}

    def _path(self) -> list[dict[str, Any]]:
        if self.instance_id is None:
            return []
        return [{"activityId": a.activity_id, "name": a.activity_name, "type": a.activity_type,
                 "done": a.ended_at is not None}
                for a in self.engine.history_activities(self.instance_id)]

    def _ended(self) -> bool:
        if self.instance_id is None:
            return True
        return self.engine.instance(self.instance_id).state in ("COMPLETED", "TERMINATED")
