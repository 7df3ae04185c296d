"""The task inbox: list, read with form, claim/unclaim, complete with validation.

Why tasks are filtered through cases: a user task's business key is its case
id, so visibility follows case visibility — one SQL query maps a page of
tasks to case types, filtered by the policy scope (never a policy call per row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bpmn.engine import Engine, TaskQuery, UserTask
from bpmn.engine_errors import EngineError
from connectors.identity import Principal
from forms import clean
from models.cases import Case
from models.db import Database
from runtime.authz import Authorizer
from runtime.cases import CaseService
from runtime.errors import Conflict, NotFound, ValidationFailed
from runtime.stale import retry_stale
from runtime.versions import definition_of

FORM_PREFIX = "form:"


@dataclass
class TaskView:
    """A task with its case and (when it has one) its form."""

    task: UserTask
    case: Case | None
    form: dict[str, Any] | None = None
    data: dict[str, Any] | None = None


class TaskService:
    """User-task use cases on top of any :class:`bpmn.engine.Engine`."""

    def __init__(self, db: Database, authz: Authorizer, engine: Engine, cases: CaseService
                 ) -> None:
        self.db = db
        self.authz = authz
        self.engine = engine
        self.cases = cases

    def list(self, principal: Principal, *, case_id: str | None = None,
             assignee: str | None = None, candidate: str | None = None,
             limit: int = 100) -> list[TaskView]:
        """Tasks of readable cases; ``assignee``/``candidate`` accept ``me``."""
        query = TaskQuery(business_key=case_id, tenant=principal.tenant, max_results=limit)
        if assignee:
            query.assignee = principal.id if assignee == "me" else assignee
        if candidate:
            query.candidate_user = principal.id if candidate == "me" else candidate
            query.candidate_groups = list(principal.roles) if candidate == "me" else None
        tasks = self.engine.tasks(query)
        cases = self._cases_in_scope(principal, {t.business_key for t in tasks if t.business_key})
        return [TaskView(t, cases[t.business_key]) for t in tasks if t.business_key in cases]

    def _cases_in_scope(self, principal: Principal, ids: set[str]) -> dict[str, Case]:
        scope = self.authz.scope(principal, "case.read")
        if not ids:
            return {}
        stmt = select(Case).where(Case.id.in_(sorted(ids)), Case.tenant == principal.tenant)
        if scope.case_types is not None:
            stmt = stmt.where(Case.case_type.in_(sorted(scope.case_types)))
        with self.db.session() as s:
            return {c.id: c for c in s.scalars(stmt)}

    def get(self, principal: Principal, task_id: str) -> TaskView:
        """One task with its form schema/UI and current values."""
        task, case = self._task_and_case(principal, task_id, "task.read")
        view = TaskView(task, case)
        view.form = self._form(case, task)
        view.data = self._form_data(task_id, view.form)
        return view

    def _task_and_case(self, principal: Principal, task_id: str, action: str
                       ) -> tuple[UserTask, Case]:
        task = self._task(task_id)
        case = self.cases.get(principal, task.business_key or "")  # 404/403 via case rules
        self.authz.require(principal, action, task_resource(task, case))
        return task, case

    def _task(self, task_id: str) -> UserTask:
        try:
            return self.engine.task(task_id)
        except EngineError:
            raise NotFound(f"task {task_id!r} does not exist") from None

    def _form(self, case: Case, task: UserTask) -> dict[str, Any] | None:
        key = (task.form_key or "").removeprefix(FORM_PREFIX)
        if not task.form_key or not task.form_key.startswith(FORM_PREFIX):
            return None
        return self.cases.definition(case).get("forms", {}).get(key)

    def _form_data(self, task_id: str, form: dict[str, Any] | None) -> dict[str, Any]:
        variables = self.engine.task_variables(task_id)
        if not form:
            return {}
        fields = form["schema"].get("properties", {})
        return {k: v for k, v in variables.items() if k in fields}

    def claim(self, principal: Principal, task_id: str) -> TaskView:
        """Assign the task to the caller; the view returned is the task as it now stands.

        Why no re-read: the engine refuses the claim (409) if someone else got there
        first, so after success the assignee is known to be the caller.
        """
        task = self._task(task_id)
        with self.db.session() as s:
            case = self._locked_case(s, principal, task, "task.claim")
            if task.assignee and task.assignee != principal.id:
                raise Conflict(f"the task is already claimed by {task.assignee}")
            self._engine_call(self.engine.claim, task_id, principal.id, session=s)
        return TaskView(replace(task, assignee=principal.id), case)

    def unclaim(self, principal: Principal, task_id: str) -> TaskView:
        task = self._task(task_id)
        with self.db.session() as s:
            case = self._locked_case(s, principal, task, "task.read")
            if task.assignee != principal.id:
                self.authz.require(principal, "task.assign", task_resource(task, case))
            self._engine_call(self.engine.unclaim, task_id, session=s)
        return TaskView(replace(task, assignee=None), case)

    def _locked_case(self, s: Session, principal: Principal, task: UserTask,
                     action: str) -> Case:
        """The task's case, locked in ``s`` and readable by the caller, who may ``action``.

        Why in the writing transaction: the engine's listeners (timeline, hooks) then find
        the current row in the session instead of reading it again, and they change the
        case under its lock, as every writer does (case first: runtime.locking).
        """
        case = self.cases.locked(s, principal, task.business_key or "", "case.read")
        self.authz.require(principal, action, task_resource(task, case))
        return case

    def complete(self, principal: Principal, task_id: str, data: Any) -> None:
        """Validate against the task form, update the case, complete — one transaction."""
        task = self._task(task_id)
        try:  # a concurrent case patch costs a retry, never an update
            retry_stale(lambda: self._complete_once(principal, task, data))
        except StaleDataError:
            raise Conflict("the case kept changing; try again") from None
        except EngineError as exc:
            raise _domain(exc) from None

    def _complete_once(self, principal: Principal, task: UserTask, data: Any) -> None:
        """Why the case is read only under its lock: writers queue on it anyway, and the
        locked row is current, so no separate read is needed to authorize and validate."""
        with self.db.session() as s:
            case = self._locked_case(s, principal, task, "task.complete")
            values = _validated(self._form(case, task), data)
            self._update_case(s, principal, case, values)
            self.engine.complete(task.id, values, session=s)

    def _update_case(self, s: Session, principal: Principal, case: Case,
                     values: dict[str, Any]) -> None:
        """Task fields that the case schema also has update the case (validated there).

        ``case`` stays referenced by the caller until the engine is done: the session's
        identity map keeps rows only weakly, and the engine's listeners (timeline, hooks)
        in the same transaction would otherwise load it again.
        """
        definition = definition_of(s, case.version_id)
        shared = {k: v for k, v in values.items()
                  if k in definition.get("schema", {}).get("properties", {})}
        if shared:
            self.cases.apply_set(s, principal.id, case, {"data": shared})

    @staticmethod
    def _engine_call(fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except EngineError as exc:
            raise _domain(exc) from None


def _validated(form: dict[str, Any] | None, data: Any) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed("task data must be a JSON object",
                               errors=[{"path": "", "message": "must be an object"}])
    if form is None:
        return dict(data)
    cleaned, errors = clean(form["schema"], data)
    if errors:
        raise ValidationFailed("the task form is invalid", errors=[e.as_dict() for e in errors])
    return dict(cleaned)


def task_resource(task: UserTask, case: Case) -> dict[str, Any]:
    """The policy ``resource`` of a task (its case type decides read access)."""
    return {"kind": "task", "tenant": case.tenant, "caseType": case.case_type,
            "assignee": task.assignee, "candidateUsers": list(task.candidate_users),
            "candidateGroups": list(task.candidate_groups)}


def _domain(exc: EngineError) -> Exception:
    if exc.status == 404:
        return NotFound(exc.message)
    return Conflict(exc.message)
