"""The case types the current user sees, loaded once per request.

Why per request: list pages show names of case types, stages and queues for
every row; one query for the latest versions (``CaseTypeService.list_types``)
serves the whole page instead of one definition lookup per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g

from studio.web import principal, services


@dataclass(frozen=True)
class TypeInfo:
    """What pages need to know about a case type (from its latest version)."""

    key: str
    name: str
    version: int
    stages: list[dict[str, Any]] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    description: str = ""

    def stage_name(self, key: str) -> str:
        return next((s.get("name") or key for s in self.stages if s["key"] == key), key)

    def stage_keys(self) -> list[str]:
        return [s["key"] for s in self.stages]


def catalog() -> dict[str, TypeInfo]:
    """``{key: TypeInfo}`` of the case types visible to the current user."""
    cached = g.get("_cs_catalog")
    if cached is None:
        cached = {}
        for row in services().case_types.list_types(principal()):
            d = row.definition
            cached[row.key] = TypeInfo(key=row.key, name=d.get("name") or row.key,
                                       version=row.version, stages=list(d.get("stages", [])),
                                       queues=list(d.get("queues") or []),
                                       description=d.get("description") or "")
        g._cs_catalog = cached
    return cached  # type: ignore[no-any-return]


def type_name(key: str) -> str:
    info = catalog().get(key)
    return info.name if info else key


def stage_name(case_type: str, stage: str) -> str:
    info = catalog().get(case_type)
    return info.stage_name(stage) if info else stage


def all_stages() -> list[tuple[str, str]]:
    """``(key, name)`` of every stage of every visible type, first name wins."""
    seen: dict[str, str] = {}
    for info in catalog().values():
        for stage in info.stages:
            seen.setdefault(stage["key"], stage.get("name") or stage["key"])
    return list(seen.items())


def all_queues() -> list[str]:
    seen: dict[str, None] = {}
    for info in catalog().values():
        seen.update(dict.fromkeys(info.queues))
    return list(seen)


def creatable_types() -> list[TypeInfo]:
    """Case types the user may create cases of (policy scope, not per-type calls)."""
    return [t for t in catalog().values() if scope_allows("case.create", t.key)]


def scope_allows(action: str, case_type: str) -> bool:
    """Whether ``action`` is allowed on cases of ``case_type`` (one scope per request)."""
    cache: dict[str, Any] = g.setdefault("_cs_scopes", {})
    if action not in cache:
        cache[action] = services().authz.scope(principal(), action)
    return bool(cache[action].permits(case_type))
