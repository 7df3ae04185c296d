"""Admin pages: deployments, process instances, incidents with retry, users and roles;
and the notifications page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bpmn.engine import ExternalTaskQuery
from models.events import Notification
from runtime import workers
from tests.integration.portal_support import PERMIT, Portal, portal_app, sqlite_url, text
from tests.support import zip_folder


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    yield from portal_app(sqlite_url(tmp_path), tmp_path)


def test_admin_pages_need_the_admin_role(portal: Portal) -> None:
    worker = portal.login("worker")
    for url in ("/admin/deployments", "/admin/instances", "/admin/incidents", "/admin/users"):
        assert worker.get(url).status_code == 403, url
    assert worker.post("/admin/users", {"username": "x"}).status_code == 403
    admin = portal.login("admin")
    assert admin.get("/admin/").headers["Location"] == "/admin/deployments"


def test_deployments_list_versions_and_deploy_a_bundle_zip(portal: Portal, tmp_path: Path
                                                           ) -> None:
    admin = portal.login("admin")
    page = text(admin.get("/admin/deployments"))
    assert "Parking permit" in page and "v1" in page and "permit:1" in page
    changed = zip_folder(PERMIT, {"case-type.yaml": (PERMIT / "case-type.yaml").read_bytes()
                                  .replace(b"name: Parking permit", b"name: Parking permit 2")})
    deployed = admin.post("/admin/deployments", {"file": (_io(changed), "permit.zip")},
                          content_type="multipart/form-data")
    assert deployed.status_code == 302
    page = text(admin.get("/admin/deployments"))
    assert "permit version 2: deployed." in page and "Parking permit 2" in page
    broken = admin.post("/admin/deployments", {"file": (_io(b"not a zip"), "x.zip")},
                        content_type="multipart/form-data")
    assert broken.status_code == 302 and "Not deployed" in text(admin.get("/admin/deployments"))


def test_instances_with_variables_and_diagram(portal: Portal) -> None:
    case = portal.create_case()
    portal.run_workers()
    admin = portal.login("admin")
    listing = text(admin.get("/admin/instances"))
    instance_id = case.process_instance_id
    assert f"/admin/instances/{instance_id}" in listing and "1 running instance" in listing
    page = text(admin.get(f"/admin/instances/{instance_id}"))
    assert "caseNumber" in page and case.number in page and "Review" in page
    diagram = admin.get(f"/admin/instances/{instance_id}/diagram").get_json()
    assert diagram["active"] == ["Task_Review"] and diagram["state"] == "ACTIVE"
    assert admin.get("/admin/instances/nope").status_code == 404


def test_an_incident_is_listed_and_retried(portal: Portal, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "RETRY_TIMEOUT_MS", 0)
    portal.failing_permit(tmp_path)
    portal.services.refresh_policy()
    case = portal.create_case()
    portal.run_workers()  # three attempts: retries 3 -> 0, then an incident
    engine = portal.services.engine
    [task] = engine.external_tasks(ExternalTaskQuery(process_instance_id=
                                                     case.process_instance_id))
    assert task.retries == 0 and "nowhere" in (task.error_message or "")
    admin = portal.login("admin")
    page = text(admin.get("/admin/incidents"))
    assert "failedExternalTask" in page and "case.set-stage" in page
    assert f"/admin/external-tasks/{task.id}/retry" in page
    retried = admin.post(f"/admin/external-tasks/{task.id}/retry")
    assert retried.status_code == 302
    assert engine.external_task(task.id).retries == 1
    after = text(admin.get("/admin/incidents"))
    assert "Retrying “case.set-stage”" in after and "No open incidents" in after
    assert portal.login("admin").post("/admin/external-tasks/nope/retry").status_code == 404


def test_users_can_be_added_and_their_roles_changed(portal: Portal) -> None:
    admin = portal.login("admin")
    page = text(admin.get("/admin/users"))
    assert 'id="user-worker"' in page and "Walter Worker" in page
    added = admin.post("/admin/users", {"username": "nina", "display_name": "Nina",
                                        "password": "a-long-password", "roles": ["worker"]})
    assert added.status_code == 302
    assert "User nina saved with roles worker." in text(admin.get("/admin/users"))
    admin.post("/admin/users/nina/roles", {"roles": ["worker", "manager", "qa, ops"]})
    nina = portal.login("nina", "a-long-password")
    assert re.search(r"nina · manager, ops, qa, worker", text(nina.get("/dashboard")))
    admin.post("/admin/users/nina/roles", {"roles": []})
    assert "needs at least one role" in text(admin.get("/admin/users"))
    assert admin.post("/admin/users/ghost/roles", {"roles": ["worker"]}).status_code == 404
    bad = admin.post("/admin/users", {"username": "x", "roles": ["worker"]})
    assert bad.status_code == 302 and "User not saved" in text(admin.get("/admin/users"))


def test_notifications_list_unread_count_and_mark_read(portal: Portal) -> None:
    with portal.services.db.session() as s:
        for title in ("First", "Second"):
            s.add(Notification(recipient="worker", title=title, body="hello"))
        s.add(Notification(recipient="manager", title="Not yours"))
    browser = portal.login("worker")
    assert 'aria-label="2 unread"' in text(browser.get("/notifications/bell"))
    page = text(browser.get("/notifications"))
    assert "First" in page and "Second" in page and "Not yours" not in page
    note_id = re.search(r'name="id" value="([0-9a-f]+)"', page).group(1)
    browser.post("/notifications/read", {"id": note_id})
    assert 'aria-label="1 unread"' in text(browser.get("/notifications/bell"))
    browser.post("/notifications/read")
    assert "none unread" in text(browser.get("/notifications/bell"))
    assert portal.services.inbox.unread(portal.principal("manager")) == 1


def _io(data: bytes) -> object:
    import io

    return io.BytesIO(data)
