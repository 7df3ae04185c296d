"""Saved views of the case list: a user's named filter/sort combinations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantMixin, new_id, utcnow


class SavedView(TenantMixin, Base):
    """A named query string of the case list (``caseType=grant&stage=review``), per user.

    Why the query string and not columns per filter: the list's parameters can
    grow (new filters, sorts) without a migration, and applying a view is just
    following a link.
    """

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("tenant", "owner", "name",
                                       name="uq_saved_views_owner_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(150), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
