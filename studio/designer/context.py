"""What every studio page needs: the services, the current draft, tabs, problem mapping.

Why one module: the editor, the validate page and the deploy page all place a
problem (``{file, path}``) on the same tab and show the same header; keeping
that mapping here means they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort

from models.studio import StudioDraft
from runtime.bundles.archive import MANIFEST
from runtime.bundles.model import content_hash
from runtime.errors import NotFound
from runtime.studio.drafts import as_bytes, manifest_of
from runtime.studio.validate import validate_files
from runtime.studio.wiring import Studio, studio_of
from studio.web import principal, services

TABS = (("general", "General"), ("stages", "Stages"), ("queues", "Queues"),
        ("data", "Data form"), ("tasks", "Task forms"), ("process", "Process"),
        ("permissions", "Permissions"), ("hooks", "Hooks"), ("intake", "Intake"),
        ("notifications", "Notifications"), ("files", "Files"))
TAB_KEYS = {key for key, _ in TABS}
MANIFEST_TABS = {"name": "general", "description": "general", "numbering": "general",
                 "title": "general", "key": "general", "stages": "stages", "queues": "queues",
                 "schema": "data", "ui": "data", "forms": "tasks", "process": "process",
                 "resources": "process", "permissions": "permissions", "hooks": "hooks",
                 "intake": "intake", "notifications": "notifications"}
WIDGET_MACROS = Path(__file__).resolve().parents[1] / "templates" / "widgets" / "macros.html"


def studio() -> Studio:
    """The studio services, after checking the user may manage case types."""
    services().authz.require(principal(), "studio.manage", {"kind": "system"})
    return studio_of(services())


def widgets_ready() -> bool:
    """The form builder and modeler macros exist (built by their own helper)."""
    return WIDGET_MACROS.is_file()


@dataclass
class DraftView:
    """A draft with its parsed manifest, as templates use it."""

    draft: StudioDraft
    manifest: dict[str, Any]

    @property
    def key(self) -> str:
        return self.draft.key

    @property
    def files(self) -> dict[str, str]:
        return dict(self.draft.files)

    def name(self) -> str:
        return str(self.manifest.get("name") or self.draft.key)

    def task_forms(self) -> dict[str, dict[str, str]]:
        """``{key: {schema, ui}}`` paths of the task forms (sibling UI by convention)."""
        out = {}
        forms = self.manifest.get("forms")
        for key, ref in (forms.items() if isinstance(forms, dict) else []):
            schema = ref.get("schema") if isinstance(ref, dict) else ref
            ui = ref.get("ui") if isinstance(ref, dict) else None
            if isinstance(schema, str):
                out[key] = {"schema": schema,
                            "ui": ui or schema.replace(".schema.json", ".ui.json")}
        return out


def load_draft(key: str) -> DraftView:
    """The draft of ``key`` or a 404 page."""
    try:
        draft = studio().drafts.get(principal(), key)
    except NotFound:
        abort(404)
    return DraftView(draft, manifest_of(draft.files))


def problems_of(view: DraftView) -> list[dict[str, str]]:
    """Every deploy check on the draft, each with the tab it belongs on."""
    found = validate_files(as_bytes(view.files), allow_scripts=studio().allow_scripts)
    return [{**p, "tab": tab_of(view, p)} for p in found]


def tab_of(view: DraftView, problem: dict[str, str]) -> str:
    """The editor tab that shows the field or element a problem is about."""
    file = problem.get("file", "")
    if file == MANIFEST:
        first = problem.get("path", "").strip("/").split("/", 1)[0]
        return MANIFEST_TABS.get(first, "general")
    if file.endswith(".bpmn"):
        return "process"
    if file in (view.manifest.get("schema"), view.manifest.get("ui")):
        return "data"
    if any(file in paths.values() for paths in view.task_forms().values()):
        return "tasks"
    return "files"


def overview() -> list[dict[str, Any]]:
    """One row per case type or draft: latest version, draft state, last deploy."""
    user = principal()
    drafts = {d.key: d for d in studio().drafts.list(user)}
    types = {t.key: t for t in services().case_types.list_types(user)}
    rows = []
    for key in sorted(set(drafts) | set(types)):
        latest, draft = types.get(key), drafts.get(key)
        name = (manifest_of(draft.files).get("name") if draft else None) or (
            latest.definition.get("name") if latest else key)
        rows.append({"key": key, "name": name, "latest": latest, "draft": draft,
                     "state": _draft_state(draft, latest)})
    return rows


def _draft_state(draft: StudioDraft | None, latest: Any) -> tuple[str, str]:
    """(label, tone) of a draft compared with the deployed version."""
    if draft is None:
        return ("No draft", "neutral")
    if latest is None:
        return ("Not deployed yet", "warn")
    if draft.base_version_id != latest.id:
        return ("Changed", "info") if draft.base_version_id else ("Imported", "info")
    same = content_hash(as_bytes(draft.files)) == latest.content_hash
    return ("Deployed", "ok") if same else ("Changed", "info")
