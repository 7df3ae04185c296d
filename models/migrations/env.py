"""Alembic environment: runs migrations on our engine (SQLite WAL or PostgreSQL)."""

from __future__ import annotations

from alembic import context

import models
from models.db import build_engine

config = context.config
target_metadata = models.Base.metadata


def run() -> None:
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=engine.dialect.name == "sqlite",
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
