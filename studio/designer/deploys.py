"""Deploy (diff against the deployed version, running-case warning) and Versions
(history, diff between any two, roll back)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from runtime.errors import DomainError, NotFound, ValidationFailed
from studio.designer import bp
from studio.designer.context import TABS, load_draft, problems_of, studio
from studio.web import principal


@bp.get("/studio/<key>/deploy")
def deploy_page(key: str) -> Any:
    view = load_draft(key)
    return _deploy_page(view)


def _deploy_page(view: Any, errors: list[dict[str, Any]] | None = None, status: int = 200
                 ) -> Any:
    problems = problems_of(view)
    diff = studio().deployer.draft_diff(principal(), view.key)
    return render_template("designer/deploy.html", view=view, tabs=TABS, tab="deploy",
                           latest=studio().deployer.latest_number(principal(), view.key),
                           problems=problems, diff=diff, errors=errors or [],
                           blocked=any(p["severity"] == "error" for p in problems)), status


@bp.post("/studio/<key>/deploy")
def deploy(key: str) -> Any:
    """Deploy exactly the revision the analyst reviewed (412 if it changed since)."""
    view = load_draft(key)
    raw = request.form.get("revision", "")
    try:
        version, created = studio().deployer.deploy(principal(), key,
                                                    int(raw) if raw.isdigit() else None)
    except ValidationFailed as exc:
        return _deploy_page(view, exc.errors, 422)
    if created:
        flash(f"Deployed {key} version {version.version}.", "ok")
    else:
        flash(f"Nothing new: this content is version {version.version} already.", "info")
    return redirect(url_for("studio_home.versions", key=key))


@bp.get("/studio/<key>/versions")
def versions(key: str) -> Any:
    view = load_draft(key)
    deployer = studio().deployer
    try:
        items = deployer.versions(principal(), key)
    except NotFound:
        items = []
    diff, chosen = None, None
    old, new = request.args.get("from", ""), request.args.get("to", "")
    if old.isdigit() and new.isdigit():
        chosen = (int(old), int(new))
        try:
            diff = deployer.diff_versions(principal(), key, *chosen)
        except DomainError as exc:
            flash(exc.detail, "error")
    return render_template("designer/versions.html", view=view, tabs=TABS, tab="versions",
                           items=items, diff=diff, chosen=chosen)


@bp.post("/studio/<key>/rollback")
def rollback(key: str) -> Any:
    raw = request.form.get("version", "")
    if not raw.isdigit():
        flash("Choose a version to roll back to.", "error")
        return redirect(url_for("studio_home.versions", key=key))
    row, _created = studio().deployer.rollback(principal(), key, int(raw))
    flash(f"Rolled back: version {row.version} has the content of version {raw}. "
          "Running cases keep their versions.", "ok")
    return redirect(url_for("studio_home.versions", key=key))
