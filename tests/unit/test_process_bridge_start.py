"""A new case's process instance id reaches the case before its INSERT, once.

Why: ``ProcessBridge`` puts the id from ``process.started`` on the still-unwritten case
so no UPDATE follows; a later ``process.started`` in the same transaction (another
instance started by the first, with the same business key) must not replace it, and a
case already written is left to ``CaseService`` (an UPDATE that keeps its revision).
"""

from __future__ import annotations

from sqlalchemy.orm import make_transient_to_detached

from bpmn.embedded import EmbeddedEngine
from bpmn.engine_types import EngineEvent
from models import Database
from models.base import new_id
from models.cases import Case
from runtime.process import _STARTING, ProcessBridge


def started(case: Case, instance_id: str) -> EngineEvent:
    return EngineEvent("process.started", instance_id, case.id, case.tenant)


def new_case() -> Case:
    return Case(id=new_id(), tenant="default", case_type="t", version_id="v", version=1,
                number="N-1", stage="open", data={}, created_by="ann",
                process_instance_id=None, revision=1)


def test_the_first_instance_names_an_unwritten_case_and_a_later_one_does_not(
        db: Database, engine: EmbeddedEngine) -> None:
    bridge = ProcessBridge(engine)
    with db.new_session() as s:
        case = new_case()
        s.add(case)
        s.info[_STARTING] = case
        bridge.on_engine_event(s, started(new_case(), "another case's"))
        assert case.process_instance_id is None
        bridge.on_engine_event(s, started(case, "first"))
        bridge.on_engine_event(s, started(case, "second"))
        assert case.process_instance_id == "first"


def test_a_case_already_written_or_not_starting_is_left_alone(
        db: Database, engine: EmbeddedEngine) -> None:
    bridge = ProcessBridge(engine)
    with db.new_session() as s:
        written, other = new_case(), new_case()
        make_transient_to_detached(written)  # as if loaded: persistent, not pending
        s.add(written)
        s.info[_STARTING] = written
        bridge.on_engine_event(s, started(written, "late"))
        bridge.on_engine_event(s, started(other, "elsewhere"))
        assert written.process_instance_id is None and other.process_instance_id is None
