"""The studio pages over the test client on SQLite and PostgreSQL: list, new case type,
every editor tab, checks, test run, deploy, versions, roll back, import, task forms."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.portal_support import Browser, Portal, portal_app, text
from tests.support import SEED, zip_folder

TABS = ("general", "stages", "queues", "data", "tasks", "process", "permissions", "hooks",
        "intake", "notifications", "files")


@pytest.fixture
def portal(database_url: str, tmp_path: Path) -> Iterator[Portal]:
    yield from portal_app(database_url, tmp_path)


def _hidden(page: Any, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', text(page))
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def _new(analyst: Browser) -> None:
    created = analyst.post("/studio/new", {"key": "leave", "name": "Leave request",
                                           "description": "Days off"})
    assert created.status_code == 302, text(created)[:500]


def test_workers_cannot_open_the_studio(portal: Portal) -> None:
    worker = portal.login("worker")
    assert worker.get("/studio").status_code == 403
    assert worker.post("/studio/new", {"key": "x", "name": "X"}).status_code == 403
    page = portal.login("analyst").get("/studio")
    assert page.status_code == 200 and "permit" in text(page)


def test_new_case_type_every_tab_checks_and_bad_input(portal: Portal) -> None:
    analyst = portal.login("analyst")
    refused = analyst.post("/studio/new", {"key": "Bad Key", "name": ""})
    assert refused.status_code == 422 and "new-key-error" in text(refused)
    assert analyst.post("/studio/new", {"key": "permit", "name": "Again"}).status_code == 409
    _new(analyst)
    for tab in TABS:
        page = analyst.get(f"/studio/leave/edit/{tab}")
        assert page.status_code == 200, (tab, text(page)[:300])
        assert 'data-revision="1"' in text(page)
    general = text(analyst.get("/studio/leave/edit/general"))
    assert re.search(r"LEAVE-\d{4}-00042", general)
    example = analyst.get("/studio/leave/example?numbering=X-{yy}&title={{ data.nope.x }}",
                          htmx=True)
    assert "must contain {seq}" in text(example)
    problems = analyst.get("/studio/leave/problems", htmx=True)
    assert json.loads(problems.headers["HX-Trigger"])["cs-problems"]["problems"] == []
    assert "This draft can be deployed" in text(analyst.get("/studio/leave/validate"))
    added = analyst.post("/studio/leave/forms", {"form_key": "approve", "revision": "1"})
    assert added.status_code == 302
    tasks = text(analyst.get("/studio/leave/edit/tasks?form=approve"))
    assert "forms/approve.schema.json" in tasks
    assert "form:approve" in text(analyst.get("/studio/leave/edit/process"))
    assert analyst.get("/studio/nothing/edit/general").status_code == 404


def test_test_run_deploy_versions_and_roll_back(portal: Portal) -> None:
    analyst = portal.login("analyst")
    _new(analyst)
    start = analyst.get("/studio/leave/test")
    assert "Start test run" in text(start)
    running = analyst.post("/studio/leave/test", {"f/description": "June"})
    assert running.status_code == 200 and "Waiting: Work on the case" in text(running)
    wrong = analyst.post("/studio/leave/test/step", {
        "run": _hidden(running, "run"), "task": "Task_Work", "form_key": "form:work",
        "t/outcome": "ok", "variables": "{oops"})
    assert wrong.status_code == 422 and "JSON" in text(wrong)
    done = analyst.post("/studio/leave/test/step", {
        "run": _hidden(running, "run"), "task": "Task_Work", "form_key": "form:work",
        "t/outcome": "ok"})
    assert "process ended" in text(done)

    deploy = analyst.get("/studio/leave/deploy")
    assert "Nothing deployed yet" in text(deploy)
    assert analyst.post("/studio/leave/deploy", {"revision": "1"}).status_code == 302
    versions = text(analyst.get("/studio/leave/versions"))
    assert 'data-version="1"' in versions
    stale = analyst.post("/studio/leave/deploy", {"revision": "7"})
    assert stale.status_code == 412
    assert analyst.post("/studio/leave/rollback", {"version": "1"}).status_code == 302
    listed = text(analyst.get("/studio/leave/versions?from=1&to=2"))
    assert 'data-version="2"' in listed and "From v1 to v2" in listed
    assert "case-type.yaml" in listed
    home = text(analyst.get("/studio"))
    assert "Leave request" in home and "v2" in home


def test_import_preview_save_open_version_and_discard(portal: Portal) -> None:
    analyst = portal.login("analyst")
    data = zip_folder(SEED / "complaint")
    preview = analyst.post("/studio/import", {"file": (_stream(data), "complaint.zip")},
                           content_type="multipart/form-data")
    assert preview.status_code == 200 and "nothing (a new case type)" in text(preview)
    saved = analyst.post("/studio/import/save", {"files": _hidden(preview, "files"),
                                                 "revision": ""})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        "/studio/complaint/edit/general")
    again = analyst.post("/studio/import", {"file": (_stream(data), "complaint.zip")},
                         content_type="multipart/form-data")
    assert "the current draft" in text(again) and "No differences" in text(again)
    broken = analyst.post("/studio/import", {"file": (_stream(b"not a zip"), "x.zip")},
                          content_type="multipart/form-data")
    assert broken.status_code == 422 and "not a valid zip" in text(broken)

    opened = analyst.post("/studio/permit/open", {"version": "1"})
    assert opened.status_code == 302
    assert "permit" in text(analyst.get("/studio/permit/edit/files"))
    assert analyst.post("/studio/permit/discard").status_code == 302
    assert analyst.get("/studio/permit/edit/general").status_code == 404


def _stream(data: bytes) -> Any:
    import io

    return io.BytesIO(data)
