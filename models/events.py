"""Transactional outbox and the in-app notification inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, TenantMixin, new_id, utcnow
from models.cases import AutoId


class OutboxEvent(TenantMixin, Base):
    """An event written in the same transaction as the change it describes.

    The relay publishes rows in id order and stamps ``published_at``; the id
    order is the per-case order consumers rely on.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "published_at", "id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), default=new_id, unique=True)
    type: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(32), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(150), default="system")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime | None] = mapped_column(default=None)


class Notification(TenantMixin, Base):
    """An in-app notification (the ``inbox://`` notify backend)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient", "tenant", "recipient", "read_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    recipient: Mapped[str] = mapped_column(String(150))
    case_id: Mapped[str | None] = mapped_column(String(32), default=None)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)


class OutboundMessage(TenantMixin, Base):
    """An e-mail the platform sent (or will send) on behalf of a process."""

    __tablename__ = "outbound_messages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str | None] = mapped_column(String(32), default=None)
    to: Mapped[str] = mapped_column(String(1000))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
