"""A driver that runs demo cases end to end through the HTTP API.

Why a driver: every end-to-end test needs the same moves (create a case,
drain the built-in workers, claim and complete whatever task is open with the
bundle's sample data, fire timers, correlate messages). The tests then only
say *which* branch to take — ``{formKey: variant}`` from ``samples/tasks.json``
— and assert what the case looks like afterwards. Workers and timers are
driven by the test (``run_workers=False, run_jobs=False``), so each run is
deterministic on both databases.
"""

from __future__ import annotations

import copy
import json
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import login, make_app
from tests.support import SEED, Api, postgres_database, zip_folder

#: Demo users named after the candidate group whose tasks they work on.
GROUP_USERS = ("worker", "manager", "admin")
FORM_PREFIX = "form:"
Plan = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class Step:
    """One completed user task: which task, which sample variant, by whom."""

    task: str
    form: str
    variant: str
    user: str


def sample(bundle: str, name: str) -> Any:
    """A JSON file from ``seed/bundles/<bundle>/samples`` (a fresh copy each call)."""
    return json.loads((SEED / bundle / "samples" / f"{name}.json").read_text("utf-8"))


@contextmanager
def driven_app(database: str, folder: Path, *bundles: str) -> Iterator[Driver]:
    """An app on ``database`` (``sqlite``/``postgresql``) with ``bundles`` deployed."""
    with _database_url(database, folder) as url:
        app = make_app(url, folder, run_workers=False, run_jobs=False)
        try:
            driver = Driver(app)
            driver.deploy(*bundles)
            yield driver
        finally:
            app.extensions["casestudio"].stop()


@contextmanager
def _database_url(database: str, folder: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite:///{folder}/casestudio.db"
        return
    with postgres_database() as url:
        yield url


class Driver:
    """Moves cases of one app forward through its REST API (see module docstring)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.container = app.extensions["casestudio"]
        self._apis: dict[str, Api] = {}

    # -- plumbing ---------------------------------------------------------------
    def api(self, user: str) -> Api:
        """A logged-in client per demo user (logging in once: password hashing is slow)."""
        if user not in self._apis:
            self._apis[user] = login(self.app.test_client(), user)
        return self._apis[user]

    def deploy(self, *bundles: str) -> None:
        for bundle in bundles:
            response = self.api("analyst").deploy(zip_folder(SEED / bundle))
            assert response.status_code == 201, response.get_json()

    def create(self, case_type: str, data: dict[str, Any] | None = None,
               user: str = "worker") -> dict[str, Any]:
        """POST /api/v1/cases with ``data`` (default: the bundle's valid sample)."""
        body = {"caseType": case_type, "data": sample(case_type, "valid") if data is None
                else data}
        response = self.api(user).post("/api/v1/cases", body)
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())

    def case(self, case_id: str) -> dict[str, Any]:
        response = self.api("admin").get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    # -- background work, driven by the test ------------------------------------
    def drain(self) -> int:
        """Run the built-in workers until no built-in external task is left."""
        handled = 0
        while count := self.container.workers.run_once():
            handled += count
        return handled

    def fire_timers(self, after: timedelta) -> int:
        """Run every job due ``after`` from now, then drain the workers."""
        fired = int(self.container.engine.run_due_jobs(now=datetime.now(UTC) + after))
        self.drain()
        return fired

    def correlate(self, message: str, case_id: str) -> None:
        self.container.engine.correlate(message, business_key=case_id)
        self.drain()

    # -- user tasks ---------------------------------------------------------------
    def tasks(self, case_id: str) -> list[dict[str, Any]]:
        """Open user tasks of the case (also those of called processes)."""
        response = self.api("admin").get(f"/api/v1/tasks?caseId={case_id}")
        assert response.status_code == 200, response.get_json()
        return list(response.get_json()["items"])

    def task_keys(self, case_id: str) -> list[str]:
        return sorted(t["taskDefinitionKey"] for t in self.tasks(case_id))

    def complete(self, task: dict[str, Any], data: dict[str, Any], user: str | None = None
                 ) -> str:
        """Claim and complete ``task`` as a user of its candidate group; returns the user."""
        user = user or next(g for g in task["candidateGroups"] if g in GROUP_USERS)
        api = self.api(user)
        claimed = api.post(f"/api/v1/tasks/{task['id']}/claim")
        assert claimed.status_code == 200, claimed.get_json()
        done = api.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})
        assert done.status_code == 204, done.get_json()
        return user

    def run(self, case_id: str, path: Plan | None = None, budget: int = 30) -> list[Step]:
        """Complete tasks along ``path`` until nothing planned is left to do.

        ``path`` maps a form key to a sample variant, or to a list of variants used in
        turn (loops). A form with one sample variant needs no entry; an empty list
        stops the run at that form. Returns the completed steps in order.
        """
        plan = {k: deque([v] if isinstance(v, str) else v) for k, v in (path or {}).items()}
        tasks_json = sample(self._case_type(case_id), "tasks")
        steps: list[Step] = []
        for _ in range(budget):
            self.drain()
            step = self._next_step(case_id, plan, tasks_json)
            if step is None:
                return steps
            steps.append(step)
        raise AssertionError(f"step budget exhausted after {[s.task for s in steps]}")

    def _next_step(self, case_id: str, plan: dict[str, deque[str]],
                   tasks_json: dict[str, dict[str, Any]]) -> Step | None:
        for task in self.tasks(case_id):
            form = (task["formKey"] or "").removeprefix(FORM_PREFIX)
            variant = _variant(plan, tasks_json, form)
            if variant is None:
                continue
            if form in plan:
                plan[form].popleft()
            user = self.complete(task, copy.deepcopy(tasks_json[form][variant]))
            return Step(task["taskDefinitionKey"], form, variant, user)
        return None

    def _case_type(self, case_id: str) -> str:
        return str(self.case(case_id)["caseType"])

    # -- what happened -------------------------------------------------------------
    def history(self, case_id: str) -> list[dict[str, Any]]:
        response = self.api("admin").get(f"/api/v1/cases/{case_id}/history")
        assert response.status_code == 200, response.get_json()
        return list(response.get_json()["items"])

    def actions(self, case_id: str) -> list[str]:
        return [h["action"] for h in self.history(case_id)]

    def stages(self, case_id: str) -> list[str]:
        """The stages the case moved through, in order (from its history)."""
        return [h["changes"]["to"] for h in self.history(case_id)
                if h["action"] == "stage_changed"]

    def events(self, case_id: str) -> list[dict[str, Any]]:
        """Outbox events of the case in commit order (``type``, ``data``)."""
        from models.events import OutboxEvent

        with self.container.db.session() as s:
            rows = s.scalars(select(OutboxEvent).where(OutboxEvent.case_id == case_id)
                             .order_by(OutboxEvent.id))
            return [{"type": r.type, "data": r.data, "actor": r.actor} for r in rows]

    def event_types(self, case_id: str) -> list[str]:
        return [e["type"] for e in self.events(case_id)]

    def emails(self, case_id: str) -> list[tuple[str, str]]:
        """(to, subject) of the outbound messages the process recorded for the case."""
        from models.events import OutboundMessage

        with self.container.db.session() as s:
            rows = s.scalars(select(OutboundMessage).where(OutboundMessage.case_id == case_id)
                             .order_by(OutboundMessage.created_at, OutboundMessage.id))
            return [(r.to, r.subject) for r in rows]

    def notifications(self, user: str, case_id: str) -> list[dict[str, Any]]:
        """GET /api/v1/notifications as ``user``, only those about ``case_id``."""
        response = self.api(user).get("/api/v1/notifications")
        assert response.status_code == 200, response.get_json()
        return [n for n in response.get_json()["items"] if n["caseId"] == case_id]


def _variant(plan: dict[str, deque[str]], tasks_json: dict[str, dict[str, Any]],
             form: str) -> str | None:
    """The sample variant to complete ``form`` with, or None to leave the task open."""
    if form in plan:
        return plan[form][0] if plan[form] else None
    variants = list(tasks_json.get(form, {}))
    return variants[0] if len(variants) == 1 else None

