"""Engine contract, part 6: task identity links and comments, definition suspension.

Backend-neutral like the rest of the suite: the same assertions hold for the
embedded engine, for `/engine-rest` through the Camunda adapter, and for a real
Camunda/Operaton (Camunda's own rules: assignee/owner/candidate links, comments
kept after the task ends, a suspended definition refusing new instances).
"""

from __future__ import annotations

import pytest

from bpmn.engine import Engine
from bpmn.engine_errors import EngineError
from bpmn.engine_types import IdentityLink, InstanceQuery, TaskQuery, UserTask
from tests.contract.engine_bpmn import simple_user_process
from tests.contract.engine_contract_core import uid


def only_task(engine: Engine, instance_id: str) -> UserTask:
    [task] = engine.tasks(TaskQuery(process_instance_id=instance_id))
    return task


class TaskExtrasContract:
    """Identity links, comments, definition suspension."""

    def test_identity_links_follow_adds_and_deletes(self, engine: Engine) -> None:
        key = uid()
        engine.deploy("d", {"a.bpmn": simple_user_process(key)})
        task = only_task(engine, engine.start(key).id)
        for link in (IdentityLink("candidate", "bob"), IdentityLink("candidate", None, "ops"),
                     IdentityLink("owner", "olga"), IdentityLink("assignee", "ann")):
            engine.add_identity_link(task.id, link)
        found = {(link.type, link.user_id or link.group_id)
                 for link in engine.identity_links(task.id)}
        assert found >= {("candidate", "bob"), ("candidate", "ops"), ("owner", "olga"),
                         ("assignee", "ann")}
        assert engine.task(task.id).assignee == "ann"
        engine.delete_identity_link(task.id, IdentityLink("candidate", None, "ops"))
        engine.delete_identity_link(task.id, IdentityLink("assignee", "ann"))
        remaining = {(link.type, link.user_id or link.group_id)
                     for link in engine.identity_links(task.id)}
        assert ("candidate", "ops") not in remaining and ("assignee", "ann") not in remaining
        assert engine.task(task.id).candidate_users == ["bob"]

    def test_comments_are_kept_after_the_task_ends(self, engine: Engine) -> None:
        key = uid()
        engine.deploy("d", {"a.bpmn": simple_user_process(key)})
        started = engine.start(key)
        task = only_task(engine, started.id)
        made = engine.add_task_comment(task.id, "first note")
        assert (made.task_id, made.message) == (task.id, "first note")
        assert made.process_instance_id == started.id
        engine.complete(task.id)
        assert [c.message for c in engine.task_comments(task.id)] == ["first note"]

    def test_a_suspended_definition_starts_nothing(self, engine: Engine) -> None:
        key = uid()
        definition = engine.deploy("d", {"a.bpmn": simple_user_process(key)}
                                   ).process_definitions[0]
        running = engine.start(key)
        engine.set_definition_suspended(definition.id, True, include_instances=True)
        assert engine.definition(definition.id).suspended
        assert engine.instance(running.id).state == "SUSPENDED"
        with pytest.raises(EngineError, match="suspended"):
            engine.start(key)
        engine.set_definition_suspended(definition.id, False, include_instances=True)
        assert engine.instance(running.id).state == "ACTIVE"
        engine.start(key)
        assert len(engine.instances(InstanceQuery(definition_key=key))) == 2
