"""Alembic migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import models
from models.db import build_engine
from models.migrate import downgrade, upgrade


def test_upgrade_matches_models_and_downgrade_cleans_up(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)  # idempotent
    engine = build_engine(database_url)
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection),
                                    models.Base.metadata)
        assert diff == [], diff
        downgrade(database_url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
