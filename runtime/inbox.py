"""The in-app notification inbox (``inbox://``): list, count unread, mark read."""

from __future__ import annotations

import builtins

from sqlalchemy import func, select, update

from connectors.identity import Principal
from models.base import utcnow
from models.db import Database
from models.events import Notification


class Inbox:
    """Notifications of the calling user only; nobody reads another's inbox."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def list(self, principal: Principal, unread_only: bool = False, limit: int = 50
             ) -> list[Notification]:
        stmt = select(Notification).where(Notification.tenant == principal.tenant,
                                          Notification.recipient == principal.id)
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        with self.db.session() as s:
            return list(s.scalars(stmt.order_by(Notification.created_at.desc()).limit(limit)))

    def unread(self, principal: Principal) -> int:
        with self.db.session() as s:
            return int(s.scalar(select(func.count()).select_from(Notification).where(
                Notification.tenant == principal.tenant,
                Notification.recipient == principal.id, Notification.read_at.is_(None))) or 0)

    def mark_read(self, principal: Principal, ids: builtins.list[str] | None = None) -> int:
        stmt = update(Notification).where(Notification.tenant == principal.tenant,
                                          Notification.recipient == principal.id,
                                          Notification.read_at.is_(None))
        if ids is not None:
            stmt = stmt.where(Notification.id.in_(ids))
        with self.db.session() as s:
            return int(s.execute(stmt.values(read_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]
