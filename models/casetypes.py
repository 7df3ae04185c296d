"""Case types and their immutable, content-addressed versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantMixin, new_id, utcnow


class CaseType(TenantMixin, Base):
    """The stable identity of a case type (its key) and a pointer to the latest version."""

    __tablename__ = "case_types"
    __table_args__ = (UniqueConstraint("tenant", "key", name="uq_case_types_tenant_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseTypeVersion(TenantMixin, Base):
    """One deployed bundle. Never updated: running cases keep the version they began with."""

    __tablename__ = "case_type_versions"
    __table_args__ = (
        UniqueConstraint("tenant", "key", "version", name="uq_case_type_versions_key_version"),
        UniqueConstraint("tenant", "key", "content_hash", name="uq_case_type_versions_hash"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_type_id: Mapped[str] = mapped_column(ForeignKey("case_types.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column()
    bundle_zip: Mapped[bytes] = mapped_column(LargeBinary)
    warnings: Mapped[list[Any]] = mapped_column(default=list)
    engine_refs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseSequence(TenantMixin, Base):
    """Per-type counter behind human case numbers (incremented atomically in SQL)."""

    __tablename__ = "case_sequences"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
