"""Studio drafts: the bundle an analyst is editing, before it is deployed.

Why one row holding every file as text: the studio edits a bundle as a whole
(manifest, schemas, BPMN), validates and diffs it as a whole, and deploys it as
a whole; one row with a revision makes "two analysts, one draft" a simple
optimistic lock (the revision is the ETag) rather than a per-file merge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantMixin, new_id, utcnow


class StudioDraft(TenantMixin, Base):
    """The working copy of one case type's bundle (one draft per tenant and key)."""

    __tablename__ = "studio_drafts"
    __table_args__ = (UniqueConstraint("tenant", "key", name="uq_studio_drafts_tenant_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column(default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    base_version_id: Mapped[str | None] = mapped_column(String(32), default=None)
    created_by: Mapped[str] = mapped_column(String(150), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(150), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
