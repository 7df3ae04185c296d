"""Deploying drafts as versions, version history, diffs between versions, roll back.

Why through ``CaseTypeService.deploy``: a studio deploy must be exactly a
``POST /bundles`` (same checks, same engine deployment, same policy refresh,
same audit event) — the studio only chooses which files to send.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from connectors.identity import Principal
from models.cases import Case
from models.casetypes import CaseTypeVersion
from models.db import Database
from models.studio import StudioDraft
from runtime.bundles.archive import MANIFEST, Limits, read_zip
from runtime.bundles.model import parse_bundle
from runtime.casetypes import CaseTypeService
from runtime.errors import NotFound
from runtime.studio.diff import diff_bundles
from runtime.studio.drafts import DraftConflict, DraftService, as_bytes


class StudioDeployer:
    """Versions seen from the studio (policy ``studio.manage`` plus ``case_type.deploy``)."""

    def __init__(self, db: Database, case_types: CaseTypeService, drafts: DraftService,
                 limits: Limits, allow_scripts: bool = False) -> None:
        self.db = db
        self.case_types = case_types
        self.drafts = drafts
        self.limits = limits
        self.allow_scripts = allow_scripts

    def version_files(self, principal: Principal, key: str, version: int | None = None
                      ) -> dict[str, bytes]:
        """The files of a deployed version (latest by default)."""
        row = self.case_types.get(principal, key, version)
        return read_zip(row.bundle_zip, self.limits)

    def latest_files(self, principal: Principal, key: str) -> dict[str, bytes] | None:
        try:
            return self.version_files(principal, key)
        except NotFound:
            return None

    def latest_number(self, principal: Principal, key: str) -> int | None:
        """The latest deployed version number, None before the first deploy."""
        try:
            return self.case_types.get(principal, key).version
        except NotFound:
            return None

    def deploy(self, principal: Principal, key: str, if_match: int | None = None
               ) -> tuple[CaseTypeVersion, bool]:
        """Deploy the draft as it is saved now; the draft then starts from that version."""
        draft = self.drafts.get(principal, key)
        if if_match is not None and if_match != draft.revision:
            raise DraftConflict(draft, if_match, None)
        bundle = parse_bundle(as_bytes(draft.files), allow_scripts=self.allow_scripts)
        version, created = self.case_types.deploy(principal, bundle)
        with self.db.session() as s:
            row = s.get(StudioDraft, draft.id)
            if row is not None and row.revision == draft.revision:
                row.base_version_id = version.id
        return version, created

    def draft_diff(self, principal: Principal, key: str) -> dict[str, Any]:
        """The draft against the deployed version, with the running cases it concerns."""
        draft = self.drafts.get(principal, key)
        return {**diff_bundles(self.latest_files(principal, key), as_bytes(draft.files)),
                "running": self.running(principal, key)}

    def running(self, principal: Principal, key: str) -> dict[str, Any]:
        """Open cases per version: they keep their version when a new one is deployed."""
        with self.db.read() as s:
            rows = s.execute(select(Case.version, func.count()).where(
                Case.tenant == principal.tenant, Case.case_type == key, Case.status == "open")
                .group_by(Case.version)).all()
        per_version = {int(v): int(n) for v, n in rows}
        latest = max(per_version, default=0)
        return {"total": sum(per_version.values()), "byVersion": per_version,
                "onLatest": per_version.get(latest, 0) if per_version else 0}

    def versions(self, principal: Principal, key: str) -> list[dict[str, Any]]:
        running = self.running(principal, key)["byVersion"]
        return [{"version": r.version, "id": r.id, "createdBy": r.created_by,
                 "createdAt": r.created_at.isoformat(), "contentHash": r.content_hash,
                 "warnings": len(r.warnings or []), "runningCases": running.get(r.version, 0)}
                for r in reversed(self.case_types.versions(principal, key))]

    def diff_versions(self, principal: Principal, key: str, old: int, new: int
                      ) -> dict[str, Any]:
        return diff_bundles(self.version_files(principal, key, old),
                            self.version_files(principal, key, new))

    def rollback(self, principal: Principal, key: str, version: int
                 ) -> tuple[CaseTypeVersion, bool]:
        """Redeploy an old version's files as a new version (running cases keep theirs).

        The manifest gets a comment naming the source version: versions are unique
        by content, so without it the old version itself would be returned.
        """
        files = self.version_files(principal, key, version)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        files[MANIFEST] = (files[MANIFEST].rstrip(b"\n") + (
            f"\n# rolled back to version {version} by {principal.id} at {stamp}\n").encode())
        bundle = parse_bundle(files, allow_scripts=self.allow_scripts)
        return self.case_types.deploy(principal, bundle)
