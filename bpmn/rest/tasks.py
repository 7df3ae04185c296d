"""``/task``: query (GET and POST), get, claim/unclaim/assignee, complete, form,
form variables, variables (identity links and comments: `bpmn.rest.task_extras`).

Why ``candidateUser`` also matches the caller's groups when it names the
caller: Camunda resolves a candidate user's group memberships through its
identity service; ours are the roles/groups of the authenticated principal,
so a worker asking for "my candidate tasks" sees those offered to their groups.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from bpmn.engine_errors import NotFound
from bpmn.engine_types import DefinitionQuery, TaskQuery, UserTask
from bpmn.rest import shapes
from bpmn.rest.base import bp, engine, in_tenant, no_content, principal, tenant
from bpmn.rest.instances import typed_variables
from bpmn.rest.params import Params, bind_checks, body, like_match, listing, page, query_params
from bpmn.rest.variables import from_dto, variables_in

SORT_KEYS = {"id": lambda t: t.id, "name": lambda t: t.name, "created": lambda t: t.created,
             "dueDate": lambda t: t.due, "followUpDate": lambda t: t.follow_up,
             "priority": lambda t: t.priority, "assignee": lambda t: t.assignee,
             "description": lambda t: t.description, "instanceId": lambda t:
             t.process_instance_id, "executionId": lambda t: t.process_instance_id,
             "nameCaseInsensitive": lambda t: (t.name or "").lower()}
ENGINE_SORTS = {"created": "created", "dueDate": "due", "priority": "priority", "name": "name"}


def _engine_query(args: Params) -> TaskQuery:
    candidate_user, group = args.text("candidateUser"), args.text("candidateGroup")
    groups = args.items("candidateGroups") or ([group] if group else None)
    if candidate_user is not None and candidate_user == principal().id:
        groups = [*(groups or []), *principal().roles, *principal().groups]
    return TaskQuery(
        id=args.text("taskId"), process_instance_id=args.text("processInstanceId"),
        business_key=args.text("processInstanceBusinessKey"), assignee=args.text("assignee"),
        unassigned=True if args.flag("unassigned") else (False if args.flag("assigned")
                                                          else None),
        candidate_user=candidate_user, candidate_groups=groups,
        task_definition_key=args.text("taskDefinitionKey"), name=args.text("name"),
        name_like=args.text("nameLike"), due_before=args.when("dueBefore"),
        due_after=args.when("dueAfter"), follow_up_before=args.when("followUpBefore"),
        follow_up_after=args.when("followUpAfter"), tenant=tenant())


def _definition_ids(keys: list[str]) -> set[str]:
    return {d.id for key in keys for d in engine().definitions(DefinitionQuery(key=key,
                                                                               tenant=tenant()))}


def _checks(args: Params) -> list[Any]:
    keys = [k for k in [args.text("processDefinitionKey"), *(args.items(
        "processDefinitionKeyIn") or [])] if k]
    tests: list[tuple[Any, Any]] = [
        (args.items("taskIdIn"), lambda t, v: t.id in v),
        (args.items("processInstanceIdIn"), lambda t, v: t.process_instance_id in v),
        (args.items("processInstanceBusinessKeyIn"), lambda t, v: t.business_key in v),
        (args.text("processInstanceBusinessKeyLike"), lambda t, v: like_match(t.business_key,
                                                                              v)),
        (args.text("processDefinitionId"), lambda t, v: t.process_definition_id == v),
        (_definition_ids(keys) if keys else None, lambda t, v: t.process_definition_id in v),
        (args.items("assigneeIn"), lambda t, v: t.assignee in v),
        (args.text("assigneeLike"), lambda t, v: like_match(t.assignee, v)),
        (args.items("taskDefinitionKeyIn"), lambda t, v: t.task_definition_key in v),
        (args.text("taskDefinitionKeyLike"), lambda t, v: like_match(t.task_definition_key, v)),
        (args.text("description"), lambda t, v: t.description == v),
        (args.text("descriptionLike"), lambda t, v: like_match(t.description, v)),
        (args.number("priority"), lambda t, v: t.priority == v),
        (args.number("minPriority"), lambda t, v: t.priority >= v),
        (args.number("maxPriority"), lambda t, v: t.priority <= v),
        (args.when("dueDate"), lambda t, v: t.due == v),
        (args.flag("withoutDueDate"), lambda t, v: (t.due is None) == v),
        (args.when("createdAfter"), lambda t, v: t.created > v),
        (args.when("createdBefore"), lambda t, v: t.created < v),
        (args.items("tenantIdIn"), lambda t, v: t.tenant in v)]
    return bind_checks(tests)


def _tasks(args: Params, paging: tuple[int, int | None] | None) -> list[UserTask]:
    query, checks, sorting = _engine_query(args), _checks(args), args.sorting(list(SORT_KEYS))
    if len(sorting) == 1 and sorting[0].key in ENGINE_SORTS:
        query.sort = ENGINE_SORTS[sorting[0].key]  # type: ignore[assignment]
        query.descending, sorting = sorting[0].descending, []

    def fetch(first: int, limit: int | None) -> list[UserTask]:
        query.first, query.max_results = first, limit
        return engine().tasks(query)

    return listing(fetch, checks, sorting, SORT_KEYS, paging)


@bp.route("/task", methods=["GET", "POST"])
def list_tasks() -> Any:
    return jsonify([shapes.task(t) for t in _tasks(query_params(), page())])


@bp.route("/task/count", methods=["GET", "POST"])
def count_tasks() -> Any:
    args = query_params()
    if not _checks(args):
        return jsonify({"count": engine().count_tasks(_engine_query(args))})
    return jsonify({"count": len(_tasks(args, None))})


def open_task(task_id: str) -> UserTask:
    message = f"No matching task with id {task_id}"
    try:
        found = engine().task(task_id)
    except NotFound:
        raise NotFound(message) from None
    return in_tenant(found, message)  # type: ignore[no-any-return]


@bp.get("/task/<task_id>")
def get_task(task_id: str) -> Any:
    return jsonify(shapes.task(open_task(task_id)))


@bp.post("/task/<task_id>/claim")
def claim(task_id: str) -> Any:
    user = Params(body(), from_query=False).text("userId") or principal().id
    open_task(task_id)
    engine().claim(task_id, user)
    return no_content()


@bp.post("/task/<task_id>/unclaim")
def unclaim(task_id: str) -> Any:
    open_task(task_id)
    engine().unclaim(task_id)
    return no_content()


@bp.post("/task/<task_id>/assignee")
def set_assignee(task_id: str) -> Any:
    user = Params(body(), from_query=False).text("userId")
    open_task(task_id)
    engine().set_assignee(task_id, user)
    return no_content()


@bp.post("/task/<task_id>/complete")
@bp.post("/task/<task_id>/submit-form")
def complete_task(task_id: str) -> Any:
    data = body()
    variables = variables_in(data.get("variables"))
    found = open_task(task_id)
    engine().complete(task_id, variables)
    if Params(data, from_query=False).flag("withVariablesInReturn"):
        return jsonify(typed_variables(found.process_instance_id))
    return no_content()


@bp.get("/task/<task_id>/form")
def task_form(task_id: str) -> Any:
    return jsonify({"key": open_task(task_id).form_key, "contextPath": None})


@bp.get("/task/<task_id>/form-variables")
@bp.get("/task/<task_id>/variables")
def task_variables(task_id: str) -> Any:
    found, names = open_task(task_id), Params.query().items("variableNames")
    return jsonify(typed_variables(found.process_instance_id,
                                   engine().task_variables(task_id), names))


@bp.post("/task/<task_id>/variables")
def modify_task_variables(task_id: str) -> Any:
    data = body()
    modifications = variables_in(data.get("modifications"), "modifications")
    deletions = Params(data, from_query=False).items("deletions") or []
    found = open_task(task_id)
    engine().set_variables(found.process_instance_id, modifications, deletions)
    return no_content()


@bp.get("/task/<task_id>/variables/<name>")
def get_task_variable(task_id: str, name: str) -> Any:
    found, values = open_task(task_id), engine().task_variables(task_id)
    if name not in values:
        raise NotFound(f"task variable with name {name} does not exist")
    return jsonify(typed_variables(found.process_instance_id, {name: values[name]})[name])


@bp.put("/task/<task_id>/variables/<name>")
def put_task_variable(task_id: str, name: str) -> Any:
    value = from_dto(name, body())
    engine().set_variables(open_task(task_id).process_instance_id, {name: value})
    return no_content()


@bp.delete("/task/<task_id>/variables/<name>")
def delete_task_variable(task_id: str, name: str) -> Any:
    engine().set_variables(open_task(task_id).process_instance_id, {}, [name])
    return no_content()
