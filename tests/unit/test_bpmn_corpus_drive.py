"""The corpus driver on the embedded engine: starts, supplies variables, stops honestly."""

from __future__ import annotations

from pathlib import Path

import models
from bpmn.corpus import Corpus
from bpmn.corpus_drive import CorpusDriver, guess
from bpmn.embedded import EmbeddedEngine
from tests.contract.engine_bpmn import (
    bpmn,
    catch,
    cond,
    document,
    end,
    external,
    flow,
    gateway,
    message_ref,
    messages,
    process,
    start,
    timer,
    user,
)

assert models.engine_tables is not None


def drive_one(engine: EmbeddedEngine, data: bytes) -> tuple[str, str, CorpusDriver]:
    definition = engine.deploy("d", {"p.bpmn": data}).process_definitions[0]
    driver = CorpusDriver(engine)
    result = driver.drive(definition)
    return result.outcome, result.detail, driver


def test_missing_start_variables_are_supplied_and_the_process_ends(
        engine: EmbeddedEngine) -> None:
    body = (start(), user("review", 'camunda:assignee="${reviewer}"'),
            gateway("exclusiveGateway", "gw"), external("book", "billing"), end(), end("no"),
            flow("start", "review", "gw"), cond("gw", "book", "${amount >= 1}"),
            cond("gw", "no", "${amount < 1}"), flow("book", "end"))
    outcome, detail, driver = drive_one(engine, bpmn(*body))
    assert (outcome, detail) == ("ended", "ended")
    assert driver.variables == {"reviewer": "demo", "amount": 1}


def test_message_and_timer_start_events_are_triggered(engine: EmbeddedEngine) -> None:
    by_message = bpmn(start("go", message_ref("m")), user("handle"), end(),
                      flow("go", "handle", "end"), extra=messages(m="order"))
    assert drive_one(engine, by_message)[0] == "ended"
    by_date = bpmn(start("tick", timer("timeDate", "2036-11-14T11:12:22")), user("work"),
                   end(), flow("tick", "work", "end"), pid="later")
    assert drive_one(engine, by_date)[0] == "ended"


def test_an_engine_error_is_a_limitation_naming_the_element(engine: EmbeddedEngine) -> None:
    body = (start(), user("first"), gateway("exclusiveGateway", "gw"), end(),
            flow("start", "first", "gw"), cond("gw", "end", "${amount > 100}"))
    outcome, detail, driver = drive_one(engine, bpmn(*body))
    assert outcome == "limitation" and "gw" in detail and driver.variables == {"amount": 1}


def test_declared_messages_are_correlated_to_waiting_instances(
        engine: EmbeddedEngine) -> None:
    body = (start(), catch("wait", message_ref("m")), end(), flow("start", "wait", "end"))
    assert drive_one(engine, bpmn(*body, extra=messages(m="docs")))[0] == "ended"


def test_an_endless_loop_is_reported(engine: EmbeddedEngine) -> None:
    body = (start(), user("again"), gateway("exclusiveGateway", "gw"), end(),
            flow("start", "again", "gw"), cond("gw", "again", "${true}"),
            cond("gw", "end", "${false}"))
    outcome, detail, _ = drive_one(engine, bpmn(*body))
    assert outcome == "limitation" and "still running" in detail


def test_called_processes_from_other_files_are_deployed_alongside(
        tmp_path: Path, engine: EmbeddedEngine) -> None:
    parent = document(process("parent", start(), '<bpmn:callActivity id="call" '
                              'calledElement="child"/>', end(), flow("start", "call", "end")))
    child = document(process("child", start("c0"), user("inner"), end("c1"),
                             flow("c0", "inner", "c1")))
    (tmp_path / "a-parent.bpmn").write_bytes(parent)
    (tmp_path / "b-child.bpmn").write_bytes(child)
    corpus = Corpus(engine, sorted(tmp_path.glob("*.bpmn")))
    assert corpus.definers("a-parent.bpmn") == ["b-child.bpmn"]
    results = corpus.run()
    assert [(r.name, r.accepted, [d.outcome for d in r.drives]) for r in results] == [
        ("a-parent.bpmn", True, ["ended"]), ("b-child.bpmn", True, ["ended"])]


def test_guessed_values_follow_the_name() -> None:
    from datetime import UTC, datetime
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert (guess("dueDate", now), guess("initiator", now), guess("count", now)) == (
        "2030-01-02T00:00:00Z", "demo", 1)
