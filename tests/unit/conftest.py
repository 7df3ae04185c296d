"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bpmn.embedded import EmbeddedEngine
from models import Base, Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite file with every table (modules may define their own)."""
    database = Database(f"sqlite:///{tmp_path}/engine.db")
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def engine(db: Database) -> EmbeddedEngine:
    """An embedded engine on :func:`db` (modules may define their own)."""
    return EmbeddedEngine(db)
