"""Moving bundles in and out of drafts: zip import (checked, diffed), export, from a version.

Why import shows a diff before saving: an uploaded zip replaces the whole
draft; the analyst should see what it changes against the draft (or the
deployed version) and what the checks say before anything is overwritten.
"""

from __future__ import annotations

from typing import Any

from connectors.identity import Principal
from models.studio import StudioDraft
from runtime.bundles.archive import MANIFEST, read_zip, write_zip
from runtime.errors import NotFound, ValidationFailed
from runtime.studio.deploy import StudioDeployer
from runtime.studio.diff import diff_bundles
from runtime.studio.drafts import KEY, DraftService, as_bytes, manifest_of
from runtime.studio.validate import validate_files


class Transfer:
    """Import, export and "edit a deployed version"."""

    def __init__(self, drafts: DraftService, deployer: StudioDeployer) -> None:
        self.drafts = drafts
        self.deployer = deployer

    def preview(self, principal: Principal, data: bytes) -> dict[str, Any]:
        """What importing ``data`` would do: its key, problems and diff; nothing is saved."""
        files = decode_files(read_zip(data, self.deployer.limits))
        key = bundle_key(files)
        draft = self.drafts.find(principal, key)
        base = (as_bytes(draft.files) if draft is not None
                else self.deployer.latest_files(principal, key))
        problems = validate_files(as_bytes(files), allow_scripts=self.deployer.allow_scripts)
        return {"key": key, "files": files, "problems": problems,
                "against": "draft" if draft is not None else "deployed" if base else "nothing",
                "draftRevision": draft.revision if draft is not None else None,
                "diff": diff_bundles(base, as_bytes(files))}

    def import_files(self, principal: Principal, files: dict[str, str],
                     if_match: int | None = None) -> StudioDraft:
        """Save imported files as the draft of their key (replacing a draft)."""
        key = bundle_key(files)
        latest = self._latest_id(principal, key)
        return self.drafts.put(principal, key, files, latest, if_match=if_match)

    def from_version(self, principal: Principal, key: str, version: int | None = None,
                     if_match: int | None = None) -> StudioDraft:
        """A draft holding a deployed version's files (to edit, or to start again from)."""
        row = self.deployer.case_types.get(principal, key, version)
        files = decode_files(read_zip(row.bundle_zip, self.deployer.limits))
        return self.drafts.put(principal, key, files, row.id, if_match=if_match)

    def export(self, principal: Principal, key: str) -> bytes:
        draft = self.drafts.get(principal, key)
        return write_zip(as_bytes(draft.files))

    def _latest_id(self, principal: Principal, key: str) -> str | None:
        try:
            return self.deployer.case_types.get(principal, key).id
        except NotFound:  # not deployed yet: no base version
            return None


def decode_files(files: dict[str, bytes]) -> dict[str, str]:
    """Bundles are text: every file must be UTF-8 (errors name the file)."""
    out, errors = {}, []
    for name, data in files.items():
        try:
            out[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            errors.append({"file": name, "path": "", "message": "is not UTF-8 text"})
    if errors:
        raise ValidationFailed("the bundle has binary files", errors=errors)
    return out


def bundle_key(files: dict[str, str]) -> str:
    key = manifest_of(files).get("key")
    if not isinstance(key, str) or not KEY.match(key):
        raise ValidationFailed("the bundle has no valid key", errors=[
            {"file": MANIFEST, "path": "/key", "message": "is missing or invalid"}])
    return key
