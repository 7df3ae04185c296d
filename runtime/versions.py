"""Case-type versions as the hot paths need them, read once per process.

Why a cache is safe here: a deployed version is immutable (DESIGN §3) and its id is
unique, so ``id -> definition`` never goes stale; only "which version is latest" can
change, and that stays a one-column query. Every case start, task completion, patch
and hook used to load the whole row (definition, bundle zip) again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.casetypes import CaseTypeVersion

MAX_VERSIONS = 512


@dataclass(frozen=True)
class VersionInfo:
    """What the runtime reads of a version (callers must not mutate ``definition``)."""

    id: str
    tenant: str
    key: str
    version: int
    definition: dict[str, Any]
    engine_refs: dict[str, Any]


_cache: OrderedDict[str, VersionInfo] = OrderedDict()
_lock = threading.Lock()


def version_by_id(s: Session, version_id: str) -> VersionInfo | None:
    """The version ``version_id`` (from the cache after the first read)."""
    with _lock:
        found = _cache.get(version_id)
        if found is not None:
            _cache.move_to_end(version_id)
            return found
    row = s.get(CaseTypeVersion, version_id)
    return remember(row) if row is not None else None


def latest_version_info(s: Session, tenant: str, key: str) -> VersionInfo | None:
    """The latest version of ``key``: one indexed one-column query plus the cache."""
    version_id = s.scalar(select(CaseTypeVersion.id).where(
        CaseTypeVersion.tenant == tenant, CaseTypeVersion.key == key)
        .order_by(CaseTypeVersion.version.desc()).limit(1))
    return version_by_id(s, version_id) if version_id is not None else None


def definition_of(s: Session, version_id: str) -> dict[str, Any]:
    """The definition of a version, ``{}`` when it is unknown."""
    info = version_by_id(s, version_id)
    return info.definition if info is not None else {}


def remember(row: CaseTypeVersion) -> VersionInfo:
    """Cache ``row`` (a committed, hence immutable, version)."""
    info = VersionInfo(id=row.id, tenant=row.tenant, key=row.key, version=row.version,
                       definition=row.definition, engine_refs=dict(row.engine_refs or {}))
    with _lock:
        _cache[row.id] = info
        if len(_cache) > MAX_VERSIONS:
            _cache.popitem(last=False)
    return info
