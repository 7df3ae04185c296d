"""Admin: case types with all their versions, engine deployments, deploying a bundle zip."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from runtime.bundles.archive import Limits, read_zip
from runtime.bundles.model import parse_bundle
from runtime.errors import BadRequest, DomainError
from studio.admin import bp
from studio.web import principal, services


@bp.get("/")
def index() -> Any:
    return redirect(url_for("admin.deployments"))


@bp.get("/deployments")
def deployments() -> Any:
    c, user = services(), principal()
    types = [(row, c.case_types.versions(user, row.key)[::-1])
             for row in c.case_types.list_types(user)]
    return render_template("admin/deployments.html", types=types,
                           engine_deployments=c.engine.deployments(user.tenant))


@bp.post("/deployments")
def deploy_bundle() -> Any:
    """Deploy an uploaded bundle zip with the same checks as ``POST /api/v1/bundles``."""
    c, user = services(), principal()
    upload = request.files.get("file")
    limits = Limits(max_bytes=c.settings.max_bundle_bytes, max_files=c.settings.max_bundle_files)
    try:
        if upload is None or not upload.filename:
            raise BadRequest("choose a bundle zip to deploy")
        bundle = parse_bundle(read_zip(upload.stream.read(limits.max_bytes + 1), limits),
                              allow_scripts=c.settings.allow_scripts)
        version, created = c.case_types.deploy(user, bundle)
    except DomainError as exc:
        details = "; ".join(f"{e.get('file', '')}{e.get('path', '')}: {e['message']}"
                            for e in exc.errors[:5])
        flash(f"Not deployed: {exc.detail}{' — ' + details if details else ''}", "error")
        return redirect(url_for("admin.deployments"))
    state = "deployed" if created else "unchanged (identical content)"
    flash(f"{version.key} version {version.version}: {state}.", "ok")
    return redirect(url_for("admin.deployments"))
