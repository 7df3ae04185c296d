"""Saved views of the case list, stored per user in the ``saved_views`` table.

Why server-side rather than the browser's localStorage: a case worker's views
follow them to any browser, and the server can test and validate them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from connectors.identity import Principal
from models.db import Database
from models.views import SavedView
from runtime.case_queries import FILTERS
from runtime.errors import Conflict, ValidationFailed

#: Parameters of the case list a view may keep (never the paging cursor).
VIEW_PARAMS = (*FILTERS, "q", "sort")
MAX_VIEWS = 50


def view_query(args: Any) -> str:
    """The canonical query string of the list parameters in ``args``."""
    return urlencode([(k, args[k]) for k in VIEW_PARAMS if args.get(k)])


def list_views(db: Database, user: Principal) -> list[SavedView]:
    with db.session() as s:
        return list(s.scalars(select(SavedView).where(
            SavedView.tenant == user.tenant, SavedView.owner == user.id)
            .order_by(SavedView.name)))


def save_view(db: Database, user: Principal, name: str, query: str) -> SavedView:
    """Create or replace the user's view called ``name``."""
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationFailed("a view needs a name", errors=[
            {"path": "/name", "message": "must be 1 to 80 characters"}])
    query = view_query(dict(parse_qsl(query)))
    try:
        with db.session() as s:
            return _upsert(s, user, name, query)
    except IntegrityError:
        raise Conflict("a view with this name was saved at the same time") from None


def _upsert(s: Any, user: Principal, name: str, query: str) -> SavedView:
    row = s.scalar(select(SavedView).where(SavedView.tenant == user.tenant,
                                           SavedView.owner == user.id, SavedView.name == name))
    if row is None:
        count = len(list(s.scalars(select(SavedView.id).where(
            SavedView.tenant == user.tenant, SavedView.owner == user.id))))
        if count >= MAX_VIEWS:
            raise ValidationFailed("too many saved views", errors=[
                {"path": "/name", "message": f"delete a view first (at most {MAX_VIEWS})"}])
        row = SavedView(tenant=user.tenant, owner=user.id, name=name)
        s.add(row)
    row.query = query
    s.flush()
    return row  # type: ignore[no-any-return]


def delete_view(db: Database, user: Principal, view_id: str) -> None:
    """Delete one of the user's own views (someone else's id deletes nothing)."""
    with db.session() as s:
        s.execute(delete(SavedView).where(SavedView.id == view_id,
                                          SavedView.tenant == user.tenant,
                                          SavedView.owner == user.id))
