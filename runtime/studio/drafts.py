"""Drafts: the bundle files an analyst edits, saved with an optimistic lock.

Why the revision is the lock: two analysts on one draft must see a conflict,
not lose work silently. Every save names the revision it was based on
(``If-Match``); a stale one is refused with both versions so the page can keep
the user's input next to what the other analyst saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.identity import Principal
from models.base import utcnow
from models.db import Database
from models.studio import StudioDraft
from runtime.authz import Authorizer
from runtime.bundles.archive import MANIFEST, Limits
from runtime.bundles.manifest import load_yaml
from runtime.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from runtime.studio.template import dump_manifest, template_files

KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
PATH = re.compile(r"^(?!/)(?!.*\.\.)[A-Za-z0-9_./ -]{1,300}$")
SYSTEM = {"kind": "system"}


class DraftConflict(PreconditionFailed):
    """412 carrying the draft as it is now, so the page can show both versions."""

    def __init__(self, draft: StudioDraft, sent: int | None, yours: Any) -> None:
        super().__init__(f"the draft was saved by {draft.updated_by} meanwhile "
                         f"(revision {draft.revision}, you sent {sent})",
                         headers={"ETag": etag(draft)})
        self.current = draft_json(draft)
        self.yours = yours

    def problem(self) -> dict[str, Any]:
        return {**super().problem(), "current": self.current, "yours": self.yours}


def etag(draft: StudioDraft) -> str:
    return f'"{draft.revision}"'


def draft_json(draft: StudioDraft, files: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"key": draft.key, "revision": draft.revision,
                            "baseVersionId": draft.base_version_id,
                            "updatedBy": draft.updated_by,
                            "updatedAt": aware(draft.updated_at).isoformat(),
                            "createdBy": draft.created_by}
    if files:
        body["files"] = dict(draft.files)
    return body


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC by construction."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_bytes(files: Mapping[str, str]) -> dict[str, bytes]:
    return {name: text.encode() for name, text in files.items()}


def manifest_of(files: Mapping[str, str]) -> dict[str, Any]:
    """The parsed manifest, or {} when it does not parse (yet)."""
    try:
        value = load_yaml(files.get(MANIFEST, "").encode())
    except ValidationFailed:
        return {}
    return value if isinstance(value, dict) else {}


class DraftService:
    """Create, read, save, delete drafts (policy ``studio.manage``)."""

    def __init__(self, db: Database, authz: Authorizer, limits: Limits) -> None:
        self.db = db
        self.authz = authz
        self.limits = limits

    def _allow(self, principal: Principal) -> None:
        self.authz.require(principal, "studio.manage", SYSTEM)

    def list(self, principal: Principal) -> list[StudioDraft]:
        self._allow(principal)
        with self.db.read() as s:
            return list(s.scalars(select(StudioDraft).where(
                StudioDraft.tenant == principal.tenant).order_by(StudioDraft.key)))

    def get(self, principal: Principal, key: str) -> StudioDraft:
        self._allow(principal)
        with self.db.read() as s:
            return self._load(s, principal, key)

    def find(self, principal: Principal, key: str) -> StudioDraft | None:
        self._allow(principal)
        with self.db.read() as s:
            return _find(s, principal.tenant, key)

    @staticmethod
    def _load(s: Session, principal: Principal, key: str, lock: bool = False) -> StudioDraft:
        draft = _find(s, principal.tenant, key, lock)
        if draft is None:
            raise NotFound(f"there is no draft of {key!r}")
        return draft

    def create(self, principal: Principal, key: Any, name: Any, description: Any = "",
               *, deployed: bool = False) -> StudioDraft:
        """A draft from the template; 409 when the key has a draft or a deployed type."""
        self._allow(principal)
        check_new(key, name, description)
        if deployed:
            raise _taken(key)
        files = template_files(key, name.strip(), (description or "").strip())
        return self.put(principal, key, files, None, replace=False)

    def put(self, principal: Principal, key: str, files: Mapping[str, str],
            base_version_id: str | None, *, replace: bool = True, if_match: int | None = None
            ) -> StudioDraft:
        """Store ``files`` as the draft of ``key`` (import, from version, template)."""
        self._allow(principal)
        self.check_files(files)
        try:
            with self.db.session() as s:
                draft = self._put_row(s, principal, key, replace, if_match)
                draft.files, draft.base_version_id = dict(files), base_version_id
                draft.updated_by, draft.updated_at = principal.id, utcnow()
                s.flush()
                return draft
        except IntegrityError:  # another analyst created the same key a moment ago
            raise _taken(key) from None

    @staticmethod
    def _put_row(s: Session, principal: Principal, key: str, replace: bool,
                 if_match: int | None) -> StudioDraft:
        draft = _find(s, principal.tenant, key, lock=True)
        if draft is None:
            draft = StudioDraft(tenant=principal.tenant, key=key, created_by=principal.id)
            s.add(draft)
        elif not replace:
            raise _taken(key)
        elif if_match is not None and if_match != draft.revision:
            raise DraftConflict(draft, if_match, None)
        else:
            draft.revision += 1
        return draft

    def save(self, principal: Principal, key: str, changes: Mapping[str, Any],
             if_match: int | None) -> StudioDraft:
        """Apply ``{files: {path: text|null}, manifest: {field: value|null}}``."""
        self._allow(principal)
        files_patch, manifest_patch = _check_changes(changes)
        with self.db.session() as s:
            draft = self._load(s, principal, key, lock=True)
            if if_match is not None and if_match != draft.revision:
                raise DraftConflict(draft, if_match, dict(changes))
            files = {**draft.files, **{k: v for k, v in files_patch.items() if v is not None}}
            files = {k: v for k, v in files.items() if files_patch.get(k, "") is not None}
            if manifest_patch:
                files[MANIFEST] = _patched_manifest(files, manifest_patch)
            self.check_files(files)
            draft.files, draft.revision = files, draft.revision + 1
            draft.updated_by, draft.updated_at = principal.id, utcnow()
            return draft

    def delete(self, principal: Principal, key: str, if_match: int | None = None) -> None:
        self._allow(principal)
        with self.db.session() as s:
            draft = self._load(s, principal, key, lock=True)
            if if_match is not None and if_match != draft.revision:
                raise DraftConflict(draft, if_match, None)
            s.delete(draft)

    def check_files(self, files: Mapping[str, str]) -> None:
        """Paths safe and sizes within the bundle limits (same as an upload)."""
        errors = [{"path": f"/files/{_escape(n)}", "message": "is not a safe relative path"}
                  for n in files if not PATH.match(n) or n.startswith(".")]
        if MANIFEST not in files:
            errors.append({"path": f"/files/{MANIFEST}", "message": "the manifest is required"})
        if len(files) > self.limits.max_files:
            errors.append({"path": "/files", "message": f"at most {self.limits.max_files} files"})
        if sum(len(t.encode()) for t in files.values()) > self.limits.max_bytes:
            errors.append({"path": "/files", "message": f"at most {self.limits.max_bytes} bytes"})
        if errors:
            raise ValidationFailed("the draft's files are invalid", errors=errors)


def _find(s: Session, tenant: str, key: str, lock: bool = False) -> StudioDraft | None:
    """``lock``: writers take the row lock first, so a second save waits and then sees
    the first one's revision (a 412) instead of both writing the same revision."""
    query = select(StudioDraft).where(StudioDraft.tenant == tenant, StudioDraft.key == key)
    return s.scalar(query.with_for_update() if lock else query)


def _taken(key: str) -> Conflict:
    return Conflict(f"{key!r} already exists; open it in the studio instead",
                    errors=[{"path": "/key", "message": "is already taken"}])


def check_new(key: Any, name: Any, description: Any) -> None:
    """The fields of **New case type**, with their paths."""
    errors = []
    if not isinstance(key, str) or not KEY.match(key):
        errors.append({"path": "/key", "message": "use 1-64 lower-case letters, digits, - and _,"
                                                  " starting with a letter"})
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        errors.append({"path": "/name", "message": "is required (at most 200 characters)"})
    if description is not None and (not isinstance(description, str) or len(description) > 5000):
        errors.append({"path": "/description", "message": "must be text (at most 5000 characters)"})
    if errors:
        raise ValidationFailed("the new case type is invalid", errors=errors)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _check_changes(changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    files = changes.get("files") or {}
    manifest = changes.get("manifest") or {}
    errors = [{"path": f"/{k}", "message": "must be an object"}
              for k, v in (("files", files), ("manifest", manifest)) if not isinstance(v, dict)]
    if isinstance(files, dict):
        errors += [{"path": f"/files/{_escape(str(k))}", "message": "must be text or null"}
                   for k, v in files.items() if v is not None and not isinstance(v, str)]
    unknown = sorted(set(changes) - {"files", "manifest"})
    errors += [{"path": f"/{k}", "message": "is unknown"} for k in unknown]
    if errors:
        raise ValidationFailed("the changes are invalid", errors=errors)
    return dict(files), dict(manifest)


def _patched_manifest(files: Mapping[str, str], patch: dict[str, Any]) -> str:
    """Top-level manifest fields set (``null`` removes them); YAML comments are lost."""
    if MANIFEST in files and not manifest_of(files) and files[MANIFEST].strip():
        raise ValidationFailed("fix the YAML of the manifest first", errors=[
            {"path": f"/files/{MANIFEST}", "message": "does not parse as a YAML mapping"}])
    manifest = manifest_of(files)
    for field, value in patch.items():
        if value is None or (value == "" and field in ("description", "title", "numbering")):
            manifest.pop(field, None)
        else:
            manifest[field] = value
    return dump_manifest(manifest)
