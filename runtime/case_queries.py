"""Case lists: policy scope -> SQL filter, filters, text search, keyset pages.

Why keyset: ``OFFSET`` gets slower with every page; a cursor of the last
row's sort key keeps each page an index range scan at a million cases.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select

from connectors.identity import Principal
from models.cases import Case
from models.db import Database
from runtime.authz import Authorizer
from runtime.errors import BadRequest

FILTERS = ("caseType", "stage", "status", "queue", "assignee")
COLUMNS = {"caseType": Case.case_type, "stage": Case.stage, "status": Case.status,
           "queue": Case.queue, "assignee": Case.assignee}
SORTS = {"createdAt": Case.created_at, "updatedAt": Case.updated_at, "number": Case.number}
MAX_LIMIT = 200


@dataclass
class CaseQuery:
    """Validated list parameters (from the query string)."""

    filters: dict[str, str]
    q: str = ""
    limit: int = 50
    cursor: str | None = None
    sort: str = "-createdAt"

    @classmethod
    def from_args(cls, args: Any, principal: Principal) -> CaseQuery:
        filters = {k: args[k] for k in FILTERS if args.get(k)}
        if filters.get("assignee") == "me":
            filters["assignee"] = principal.id
        try:
            limit = int(args.get("limit", 50))
        except ValueError:
            raise BadRequest("limit must be an integer") from None
        sort = args.get("sort", "-createdAt")
        if sort.lstrip("-") not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)} (prefix - for descending)")
        return cls(filters=filters, q=(args.get("q") or "").strip().lower()[:200],
                   limit=max(1, min(limit, MAX_LIMIT)), cursor=args.get("cursor"), sort=sort)


class CaseQueries:
    """Read side of cases: one SQL query per page, never a policy call per row."""

    def __init__(self, db: Database, authz: Authorizer) -> None:
        self.db = db
        self.authz = authz

    def list(self, principal: Principal, query: CaseQuery) -> tuple[list[Case], str | None]:
        scope = self.authz.scope(principal, "case.read")
        stmt = select(Case).where(Case.tenant == principal.tenant)
        if scope.case_types is not None:
            stmt = stmt.where(Case.case_type.in_(sorted(scope.case_types)))
        stmt = _filtered(stmt, query)
        column, descending = SORTS[query.sort.lstrip("-")], query.sort.startswith("-")
        if query.cursor:
            stmt = stmt.where(_after(column, descending, decode_cursor(query.cursor)))
        order = (column.desc(), Case.id.desc()) if descending else (column.asc(), Case.id.asc())
        with self.db.session() as s:
            rows = list(s.scalars(stmt.order_by(*order).limit(query.limit + 1)))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        cursor = encode_cursor(getattr(rows[-1], column.key), rows[-1].id) if more else None
        return rows, cursor


def _filtered(stmt: Select[Any], query: CaseQuery) -> Select[Any]:
    for name, value in query.filters.items():
        stmt = stmt.where(COLUMNS[name] == value)
    if query.q:
        stmt = stmt.where(Case.search_text.contains(query.q, autoescape=True))
    return stmt


def _after(column: Any, descending: bool, key: tuple[Any, str]) -> Any:
    value, last_id = key
    if descending:
        return or_(column < value, and_(column == value, Case.id < last_id))
    return or_(column > value, and_(column == value, Case.id > last_id))


def encode_cursor(value: Any, last_id: str) -> str:
    """Opaque cursor: the last row's sort value and id."""
    raw = value.isoformat() if isinstance(value, datetime) else value
    kind = "dt" if isinstance(value, datetime) else "v"
    text = json.dumps([kind, raw, last_id])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    """Inverse of :func:`encode_cursor`; a tampered cursor is a 400, not a 500."""
    try:
        kind, raw, last_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = datetime.fromisoformat(raw) if kind == "dt" else raw
        return value, str(last_id)
    except (ValueError, TypeError) as exc:
        raise BadRequest(f"invalid cursor: {exc}") from None
