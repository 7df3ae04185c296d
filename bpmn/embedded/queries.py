"""Read-only queries: instances, variables, active activities and history.

Why from projection and history tables only: listing, counting and history
views never deserialize instance state, so they cost the same however big or
old the instances are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from bpmn.embedded.runner import RUNNING, instance_value
from bpmn.engine_errors import NotFound
from bpmn.engine_types import (
    ActivityInstance,
    HistoricActivity,
    HistoricInstance,
    HistoricTask,
    HistoricVariable,
    HistoryQuery,
    InstanceQuery,
    ProcessInstance,
    VariableFilter,
)
from models.engine import (
    EngineHistoryActivity,
    EngineHistoryVariable,
    EngineInstance,
    EngineVariable,
)

_OPERATORS = {"eq": "__eq__", "neq": "__ne__", "gt": "__gt__", "gteq": "__ge__",
              "lt": "__lt__", "lteq": "__le__"}


def _variable_condition(condition: VariableFilter) -> Any:
    table = EngineVariable
    value = condition.value
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    column = table.number_value if numeric else table.text_value
    test: Any
    if condition.operator == "like":
        test = table.text_value.like(str(value))
    elif isinstance(value, bool) or value is None:
        same = (table.type == "Null" if value is None else
                (table.type == "Boolean") & (table.text_value == str(value).lower()))
        test = same if condition.operator == "eq" else ~same
    else:
        test = getattr(column, _OPERATORS[condition.operator])(value)
    return exists().where(table.instance_id == EngineInstance.id, table.name == condition.name,
                          test)


def _instances(query: InstanceQuery, running: bool = True) -> Select[Any]:
    table = EngineInstance
    stmt = select(table)
    if running:
        stmt = stmt.where(table.state.in_(RUNNING))
    if query.ids:
        stmt = stmt.where(table.id.in_(list(query.ids)))
    for column, value in ((table.definition_id, query.definition_id),
                          (table.definition_key, query.definition_key),
                          (table.business_key, query.business_key), (table.tenant, query.tenant)):
        if value is not None:
            stmt = stmt.where(column == value)
    if query.suspended is not None:
        stmt = stmt.where(table.state == ("SUSPENDED" if query.suspended else "ACTIVE"))
    for condition in query.variables:
        stmt = stmt.where(_variable_condition(condition))
    return stmt


def _page(stmt: Select[Any], first: int, max_results: int | None) -> Select[Any]:
    stmt = stmt.offset(first)
    return stmt.limit(max_results) if max_results is not None else stmt


def instances(session: Session, query: InstanceQuery) -> list[ProcessInstance]:
    stmt = _instances(query).order_by(EngineInstance.started_at, EngineInstance.id)
    return [instance_value(r) for r in session.scalars(_page(stmt, query.first,
                                                              query.max_results))]


def count_instances(session: Session, query: InstanceQuery) -> int:
    return int(session.scalar(select(func.count()).select_from(_instances(query).subquery()))
               or 0)


def instance_row(session: Session, instance_id: str) -> EngineInstance:
    row = session.get(EngineInstance, instance_id)
    if row is None:
        raise NotFound(f"Process instance with id {instance_id} does not exist")
    return row


def variables(session: Session, instance_id: str) -> dict[str, Any]:
    row = instance_row(session, instance_id)
    if row.state not in RUNNING:
        raise NotFound(f"Process instance with id {instance_id} does not exist (it ended)")
    rows = session.execute(select(EngineVariable.name, EngineVariable.value)
                           .where(EngineVariable.instance_id == instance_id))
    return {name: value for name, value in rows}


def activity_instances(session: Session, instance_id: str) -> list[ActivityInstance]:
    instance_row(session, instance_id)
    table = EngineHistoryActivity
    rows = session.scalars(select(table).where(table.instance_id == instance_id,
                                               table.ended_at.is_(None)).order_by(table.seq))
    return [ActivityInstance(id=r.id, activity_id=r.activity_id, activity_name=r.activity_name,
                             activity_type=r.activity_type) for r in rows]


def history_instances(session: Session, query: HistoryQuery) -> list[HistoricInstance]:
    table = EngineInstance
    stmt = select(table)
    for column, value in ((table.id, query.process_instance_id),
                          (table.definition_key, query.definition_key),
                          (table.business_key, query.business_key), (table.tenant, query.tenant)):
        if value is not None:
            stmt = stmt.where(column == value)
    if query.finished is not None:
        stmt = stmt.where(table.ended_at.is_not(None) if query.finished
                          else table.ended_at.is_(None))
    stmt = _page(stmt.order_by(table.started_at, table.id), query.first, query.max_results)
    return [HistoricInstance(id=r.id, definition_id=r.definition_id,
                             definition_key=r.definition_key, business_key=r.business_key,
                             state=r.state, started_at=r.started_at,  # type: ignore[arg-type]
                             ended_at=r.ended_at, tenant=r.tenant, delete_reason=r.delete_reason)
            for r in session.scalars(stmt)]


def history_activities(session: Session, instance_id: str) -> list[HistoricActivity]:
    table = EngineHistoryActivity
    rows = session.scalars(select(table).where(table.instance_id == instance_id)
                           .order_by(table.seq))
    return [HistoricActivity(id=r.id, activity_id=r.activity_id, activity_name=r.activity_name,
                             activity_type=r.activity_type, process_instance_id=r.instance_id,
                             started_at=r.started_at, ended_at=r.ended_at, canceled=r.canceled,
                             assignee=r.assignee, tenant=r.tenant) for r in rows]


def history_tasks(session: Session, query: HistoryQuery) -> list[HistoricTask]:
    table = EngineHistoryActivity
    stmt = select(table).where(table.activity_type == "userTask")
    if query.process_instance_id is not None:
        stmt = stmt.where(table.instance_id == query.process_instance_id)
    if query.tenant is not None:
        stmt = stmt.where(table.tenant == query.tenant)
    if query.finished is not None:
        stmt = stmt.where(table.ended_at.is_not(None) if query.finished
                          else table.ended_at.is_(None))
    stmt = _page(stmt.order_by(table.seq), query.first, query.max_results)
    return [HistoricTask(id=r.id, name=r.activity_name, task_definition_key=r.activity_id,
                         process_instance_id=r.instance_id, assignee=r.assignee,
                         created=r.started_at, ended_at=r.ended_at,
                         delete_reason=_task_reason(r), tenant=r.tenant)
            for r in session.scalars(stmt)]


def _task_reason(row: EngineHistoryActivity) -> str | None:
    if row.ended_at is None:
        return None
    return row.delete_reason or ("deleted" if row.canceled else "completed")


def history_variables(session: Session, instance_id: str) -> list[HistoricVariable]:
    table = EngineHistoryVariable
    rows = session.scalars(select(table).where(table.instance_id == instance_id,
                                               table.type != "Comment")  # task comments
                           .order_by(table.id))
    return [HistoricVariable(id=str(r.id), process_instance_id=r.instance_id, name=r.name,
                             type=r.type, value=r.value, revision=r.revision, created=r.created,
                             deleted=r.deleted, tenant=r.tenant) for r in rows]
