"""Persistence: typed SQLAlchemy models, the database handle and migrations.

Importing this package registers every table on ``Base.metadata`` (Alembic
autogenerate and ``create_all`` both rely on that).
"""

from models import casetypes, cases, events, identity
from models.base import Base
from models.db import Database

try:  # the engine's tables live beside ours; optional while it is being built
    from models import engine as engine_tables
except ImportError:  # pragma: no cover
    engine_tables = None  # type: ignore[assignment]

__all__ = ["Base", "Database", "casetypes", "cases", "engine_tables", "events", "identity"]
