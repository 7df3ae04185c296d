"""Cases and what hangs off them: comments, documents, audit history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantMixin, new_id, utcnow

#: SQLite only auto-increments INTEGER PRIMARY KEY, PostgreSQL wants BIGINT.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


class Case(TenantMixin, Base):
    """A case: data validated against its version's schema, plus workflow state."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_list", "tenant", "created_at", "id"),
        Index("ix_cases_type_list", "tenant", "case_type", "created_at", "id"),
        Index("ix_cases_tenant_number", "tenant", "number", unique=True),
        Index("ix_cases_updated", "tenant", "updated_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_type: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[str] = mapped_column(ForeignKey("case_type_versions.id"))
    version: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300), default="")
    stage: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    queue: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    assignee: Mapped[str | None] = mapped_column(String(150), index=True, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    search_text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    process_instance_id: Mapped[str | None] = mapped_column(String(64), default=None)
    stage_due: Mapped[datetime | None] = mapped_column(default=None, index=True)
    sla_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    __mapper_args__ = {"version_id_col": revision}


class Comment(TenantMixin, Base):
    """A free-text note on a case."""

    __tablename__ = "comments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(TenantMixin, Base):
    """Metadata of a file kept in object storage under a per-case key."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    checksum: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(500))
    uploaded_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HistoryEntry(TenantMixin, Base):
    """Append-only audit: who did what to a case, and what changed."""

    __tablename__ = "case_history"
    __table_args__ = (Index("ix_case_history_case", "case_id", "id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
