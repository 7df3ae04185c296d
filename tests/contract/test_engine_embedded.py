"""The engine contract against the embedded engine, on SQLite and PostgreSQL.

SQLite gets a fresh file per test; PostgreSQL one unique database per test
session (dropped at the end), with the engine tables emptied between tests.
PostgreSQL being unreachable skips locally and fails under ``CI=true``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import models
from bpmn.embedded import EmbeddedEngine
from bpmn.engine_errors import NotFound, OptimisticLocking
from bpmn.engine_types import TaskQuery, TopicRequest
from models.base import Base
from models.db import Database
from tests.contract.engine_bpmn import (
    bpmn,
    catch,
    end,
    external,
    flow,
    simple_user_process,
    start,
    timer,
    user,
)
from tests.contract.engine_contract import EngineContract
from tests.support import postgres_database

ENGINE_TABLES = [name for name in Base.metadata.tables if name.startswith("engine_")]
assert models.engine_tables is not None


class FakeClock:
    """A clock tests move by hand (timers, lock expiry, retry timeouts)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def engine_pg_url() -> Iterator[str]:
    with postgres_database() as url:
        db = Database(url)
        Base.metadata.create_all(db.engine)
        db.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path}/engine.db")
        Base.metadata.create_all(db.engine)
    else:
        db = Database(request.getfixturevalue("engine_pg_url"))
        with db.session() as session:  # DELETE beats TRUNCATE on tiny tables
            for table in ENGINE_TABLES:
                session.execute(Base.metadata.tables[table].delete())
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2030, 1, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def engine(engine_db: Database, clock: FakeClock) -> EmbeddedEngine:
    return EmbeddedEngine(engine_db, clock=clock)


@pytest.fixture
def advance(engine: EmbeddedEngine, clock: FakeClock) -> Callable[[float], None]:
    def go(seconds: float) -> None:
        clock.advance(seconds)
        engine.run_due_jobs()
    return go


class TestEmbeddedEngine(EngineContract):
    """Runs every contract test against `EmbeddedEngine`."""


def _race(workers: int, work: Callable[[str], object]) -> list[object]:
    """Run ``work(name)`` on ``workers`` threads released together; collect results/errors."""
    barrier = threading.Barrier(workers)
    results: list[object] = []

    def run(name: str) -> None:
        barrier.wait()
        try:
            results.append(work(name))
        except Exception as exc:  # collected and asserted on by the caller
            results.append(exc)

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


class TestEmbeddedConcurrency:
    """Races on both databases: locks and versions give exactly-once outcomes."""

    def test_racing_workers_each_task_is_locked_once(self, engine: EmbeddedEngine) -> None:
        body = (start(), external("work", "race"), end(), flow("start", "work", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body, pid="race")})
        for _ in range(12):
            engine.start("race")

        def drain(name: str) -> list[str]:
            got: list[str] = []
            while batch := engine.fetch_and_lock(name, [TopicRequest("race", 60_000)], 2):
                got += [t.id for t in batch]
            return got

        results = _race(3, drain)
        ids = [i for r in results for i in r]  # type: ignore[union-attr]
        assert len(ids) == len(set(ids)) == 12

    def test_racing_completions_of_one_task(self, engine: EmbeddedEngine) -> None:
        engine.deploy("d", {"a.bpmn": simple_user_process("p")})
        pi = engine.start("p")
        [task] = engine.tasks(TaskQuery(process_instance_id=pi.id))
        results = _race(3, lambda name: engine.complete(task.id, {"by": name}))
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(results) - len(errors) == 1
        assert all(isinstance(e, NotFound | OptimisticLocking) for e in errors), errors
        assert engine.instance(pi.id).state == "COMPLETED"

    def test_racing_executors_fire_each_timer_once(self, engine: EmbeddedEngine,
                                                   clock: FakeClock) -> None:
        body = (start(), catch("wait", timer("timeDuration", "PT1M")), user("after"), end(),
                flow("start", "wait", "after", "end"))
        engine.deploy("d", {"a.bpmn": bpmn(*body)})
        for _ in range(8):
            engine.start("p")
        clock.advance(61)
        fired = _race(3, lambda name: engine.run_due_jobs())
        assert sum(fired) == 8  # type: ignore[arg-type]
        assert engine.count_tasks(TaskQuery(task_definition_key="after")) == 8
