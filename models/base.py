"""Declarative base and column helpers shared by every table.

Every row carries ``tenant`` so one database can host several tenants and
policy scopes can become plain SQL filters (DESIGN §7).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON on SQLite, JSONB on PostgreSQL (indexable, compact).
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Timezone-aware now; the database stores UTC everywhere."""
    return datetime.now(UTC)


def new_id() -> str:
    """Opaque, URL-safe primary keys (UUID4 hex) that never collide across replicas."""
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    """Base of all CaseStudio tables; naming convention keeps Alembic diffs stable."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JsonType, list[Any]: JsonType,
                           datetime: DateTime(timezone=True)}


class TenantMixin:
    """Adds the ``tenant`` column every row must have."""

    tenant: Mapped[str] = mapped_column(String(64), default="default", index=True)
