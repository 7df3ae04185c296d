"""Import (upload a zip, see its checks and diff, then save it as the draft) and export."""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from runtime.errors import BadRequest, DomainError, ValidationFailed
from studio.designer import bp
from studio.designer.context import studio
from studio.web import principal


@bp.get("/studio/import")
def import_page() -> Any:
    studio()
    return render_template("designer/import.html", preview=None)


@bp.post("/studio/import")
def import_preview() -> Any:
    """Check and diff the upload; nothing is saved until the analyst confirms."""
    limit = studio().deployer.limits.max_bytes
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _refused("Choose a bundle zip to import.", 400)
    data = upload.stream.read(limit + 1)
    try:
        if len(data) > limit:
            raise BadRequest(f"the bundle exceeds {limit} bytes")
        preview = studio().transfer.preview(principal(), data)
    except DomainError as exc:
        return _refused(exc.detail, exc.status, exc.errors)
    files_json = json.dumps(preview.pop("files"))
    return render_template("designer/import.html", preview=preview, files_json=files_json)


def _refused(message: str, status: int, errors: list[dict[str, Any]] | None = None) -> Any:
    return render_template("designer/import.html", preview=None, error=message,
                           errors=errors or []), status


@bp.post("/studio/import/save")
def import_save() -> Any:
    try:
        files = json.loads(request.form.get("files", ""))
    except ValueError:
        return _refused("The upload was lost; import the zip again.", 400)
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return _refused("The upload was lost; import the zip again.", 400)
    raw = request.form.get("revision", "")
    try:
        draft = studio().transfer.import_files(principal(), files,
                                               int(raw) if raw.isdigit() else None)
    except ValidationFailed as exc:
        return _refused(exc.detail, exc.status, exc.errors)
    flash(f"Imported into the draft of {draft.key!r}.", "ok")
    return redirect(url_for("studio_home.edit", key=draft.key, tab="general"))
