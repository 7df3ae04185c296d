"""Persistence: typed SQLAlchemy models, the database handle and migrations.

Importing this package registers every table on ``Base.metadata`` (Alembic
autogenerate and ``create_all`` both rely on that).
"""

from models import cases, casetypes, events, identity, studio, views
from models import engine as engine_tables
from models.base import Base
from models.db import Database

__all__ = ["Base", "Database", "cases", "casetypes", "engine_tables", "events", "identity",
           "studio", "views"]
