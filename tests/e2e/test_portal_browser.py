"""End to end in Chromium: a worker's day, a manager's kanban, an admin's incident retry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bpmn.engine import ExternalTaskQuery
from models.views import SavedView
from runtime import workers
from seed.loader import load_demo
from tests.conftest import make_app
from tests.e2e.browser_support import (
    api_token,
    eventually,
    log_in,
    screenshot,
    serve,
    wait_live,
)
from tests.integration.portal_support import PERMIT, Portal

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Portal]]:
    """The demo (seeded) plus the permit type, served with live updates on a free port."""
    from runtime.realtime import init_realtime

    tmp = tmp_path_factory.mktemp("e2e")
    patch = pytest.MonkeyPatch()
    patch.setattr(workers, "RETRY_TIMEOUT_MS", 0)  # failing steps reach an incident quickly
    app = make_app(f"sqlite:///{tmp}/e2e.db", tmp, run_jobs=False)
    services = app.extensions["casestudio"]
    SavedView.__table__.create(services.db.engine, checkfirst=True)
    load_demo(services, echo=lambda _message: None)
    portal = Portal(app)
    portal.deploy(PERMIT)
    services.refresh_policy()
    init_realtime(app, channel=f"e2e-{tmp.name}")
    try:
        with serve(app) as base:
            yield base, portal
    finally:
        services.stop()
        patch.undo()


def test_worker_creates_a_case_works_a_task_uploads_and_sees_a_comment_live(
        site: tuple[str, Portal], chromium: Any, tmp_path: Path) -> None:
    base, _portal = site
    page = log_in(chromium, base, "worker")
    screenshot(page, "dashboard")
    page.get_by_role("link", name="New case").first.click()
    screenshot(page, "new-case")
    page.get_by_role("link", name=re.compile("Parking permit")).click()
    page.get_by_label("Name").fill("Rosa Diaz")
    page.get_by_label("E-mail").fill("rosa-at-example")
    page.get_by_label("Licence plate").fill("RD-42")
    page.get_by_role("button", name="Create case").click()
    error = page.locator("#f-applicant-email__error")
    error.wait_for()
    assert "email" in error.inner_text().lower()
    assert page.get_by_label("E-mail").get_attribute("aria-invalid") == "true"
    page.get_by_label("E-mail").fill("rosa@example.org")
    page.get_by_role("button", name="Create case").click()
    page.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}$"))
    assert "Rosa Diaz — RD-42" in page.locator("h1").inner_text()
    case_id = page.url.rsplit("/", 1)[-1]
    wait_live(page)

    # The process moves the case to review and opens the Review task: it appears live.
    page.get_by_role("button", name="Complete “Review”").wait_for(timeout=15_000)
    page.locator(".task-card").get_by_role("button", name="Claim").click()
    page.locator(".toast", has_text="Claimed “Review”").wait_for()
    card = page.locator(".task-card")
    card.get_by_label("Approve").check()
    card.get_by_role("button", name="Complete “Review”").click()
    page.locator(".toast", has_text="Completed “Review”").wait_for()

    upload = tmp_path / "parking-proof.txt"
    upload.write_text("proof of residence\n" * 1000)
    wait_live(page)
    page.set_input_files("#upload-file", str(upload))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.locator("#timeline").get_by_text("uploaded parking-proof.txt").wait_for()

    token = api_token(base, "manager")
    posted = requests.post(f"{base}/api/v1/cases/{case_id}/comments",
                           json={"body": "Checked the plate with the registry."},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert posted.status_code == 201, posted.text
    page.locator("#timeline").get_by_text("Checked the plate with the registry.").wait_for(
        timeout=10_000)
    page.goto("/cases?caseType=complaint")
    page.locator("#case-rows a").first.click()
    page.locator(".diagram.is-ready").wait_for()
    screenshot(page, "case-page")
    assert page.errors == []  # type: ignore[attr-defined]


def test_manager_moves_cards_on_the_kanban(site: tuple[str, Portal], chromium: Any) -> None:
    base, portal = site
    first, second = portal.create_case(), portal.create_case()
    manager = portal.principal("manager")
    for case in (first, second):  # the process moves new cases to review first
        eventually(lambda c=case: portal.services.cases.get(manager, c.id).stage == "review")
    page = log_in(chromium, base, "manager")
    page.goto("/cases/board?caseType=permit")
    card = page.locator(f"#card-{first.id}")
    card.wait_for()
    column = page.locator('.board__column[data-stage="done"]')
    card.drag_to(column)
    column.locator(f"#card-{first.id}").wait_for()
    page.locator(".toast", has_text=f"{first.number} moved to Done.").wait_for()
    assert portal.services.cases.get(manager, first.id).stage == "done"

    # The keyboard way: the card's stage select and its Move button.
    move = page.locator(f"#card-{second.id}")
    move.get_by_label(f"Move {second.number} to stage").select_option("done")
    move.get_by_role("button", name="Move").click()
    page.locator('.board__column[data-stage="done"]').locator(f"#card-{second.id}").wait_for()
    eventually(lambda: portal.services.cases.get(manager, second.id).stage == "done")
    page.goto("/cases/board?caseType=complaint")
    screenshot(page, "kanban")
    assert page.errors == []  # type: ignore[attr-defined]


def test_admin_retries_an_incident(site: tuple[str, Portal], chromium: Any,
                                   tmp_path: Path) -> None:
    base, portal = site
    portal.failing_permit(tmp_path)
    portal.services.refresh_policy()
    case = portal.create_case()
    engine = portal.services.engine
    query = ExternalTaskQuery(process_instance_id=case.process_instance_id)
    eventually(lambda: [t for t in engine.external_tasks(query) if t.retries == 0])
    failures = portal.services.workers.failed

    page = log_in(chromium, base, "admin")
    page.get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Incidents").click()
    screenshot(page, "admin")
    row = page.locator("#failed-tasks tr", has_text="case.set-stage")
    row.get_by_role("button", name=re.compile("^Retry")).click()
    page.locator(".toast", has_text="Retrying “case.set-stage”").wait_for()
    # The worker picks the task up again at once and fails again (the stage is still unknown).
    eventually(lambda: portal.services.workers.failed > failures)
    page.goto("/cases")
    screenshot(page, "cases")
    page.goto("/tasks?tab=groups")
    screenshot(page, "tasks")
    assert page.errors == []  # type: ignore[attr-defined]
