"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bpmn.embedded import EmbeddedEngine
from models import Base, Database


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    """An embedded engine on a fresh SQLite file (modules may define their own)."""
    db = Database(f"sqlite:///{tmp_path}/engine.db")
    Base.metadata.create_all(db.engine)
    yield EmbeddedEngine(db)
    db.dispose()
