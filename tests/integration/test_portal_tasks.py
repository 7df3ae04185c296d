"""Task inbox (mine / my groups / unassigned), claim/unclaim, completion via the task form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.portal_support import Portal, portal_app, sqlite_url, text, toast


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    yield from portal_app(sqlite_url(tmp_path), tmp_path)


def _review_task(portal: Portal) -> tuple[object, str]:
    case = portal.create_case()
    portal.run_workers()
    views = portal.services.tasks.list(portal.principal("worker"), case_id=case.id)
    assert [v.task.name for v in views] == ["Review"]
    return case, views[0].task.id


def _prefix(task_id: str) -> str:
    return "t" + task_id


def test_inbox_tabs_and_claim_unclaim_with_htmx(portal: Portal) -> None:
    case, task_id = _review_task(portal)
    browser = portal.login("worker")
    assert "Nothing assigned to you" in text(browser.get("/tasks"))
    groups = text(browser.get("/tasks?tab=groups"))
    assert case.number in groups and f"/tasks/{task_id}/claim" in groups  # type: ignore
    assert case.number in text(browser.get("/tasks?tab=unassigned"))  # type: ignore
    claimed = browser.post(f"/tasks/{task_id}/claim", {"tab": "groups"}, htmx=True)
    assert claimed.status_code == 200 and "Claimed “Review”" in toast(claimed)
    assert "<html" not in text(claimed) and case.number not in text(claimed)  # type: ignore
    mine = text(browser.get("/tasks?tab=mine"))
    assert case.number in mine and f"/tasks/{task_id}/unclaim" in mine  # type: ignore
    taken = portal.login("manager").post(f"/tasks/{task_id}/claim", {})
    assert taken.status_code == 302
    assert portal.services.engine.task(task_id).assignee == "worker"
    browser.post(f"/tasks/{task_id}/unclaim", {"tab": "mine"}, htmx=True)
    assert portal.services.engine.task(task_id).assignee is None


def test_completing_with_invalid_data_shows_errors_then_completes(portal: Portal) -> None:
    case, task_id = _review_task(portal)
    browser = portal.login("worker")
    page = text(browser.get(f"/tasks/{task_id}"))
    assert f'name="{_prefix(task_id)}/approved"' in page and "Complete task" in page
    p = _prefix(task_id)
    invalid = browser.post(f"/tasks/{task_id}/complete", {"_seen": p, f"{p}/note": "x" * 501})
    assert invalid.status_code == 422
    body = text(invalid)
    assert re.search(rf'id="{p}-note__error"', body) and re.search(rf'id="{p}-approved', body)
    done = browser.post(f"/tasks/{task_id}/complete", {"_seen": p, f"{p}/approved": "true",
                                                       f"{p}/note": "fine"})
    assert done.status_code == 302 and done.headers["Location"].startswith("/tasks")
    portal.run_workers()
    fresh = portal.services.cases.get(portal.principal("worker"), case.id)  # type: ignore
    assert fresh.stage == "done"  # the hook on task.completed moved it


def test_completing_on_the_case_page_re_renders_the_case_with_errors(portal: Portal) -> None:
    case, task_id = _review_task(portal)
    p = _prefix(task_id)
    browser = portal.login("worker")
    response = browser.post(f"/tasks/{task_id}/complete", {"_seen": p, "next": "case",
                                                           f"{p}/note": "y" * 600})
    assert response.status_code == 422
    page = text(response)
    assert case.number in page and "Case data" in page  # type: ignore[attr-defined]
    assert re.search(rf'id="{p}-note__error"', page)
    ok = browser.post(f"/tasks/{task_id}/complete", {"_seen": p, "next": "case",
                                                     f"{p}/approved": "false"})
    assert ok.status_code == 302
    assert ok.headers["Location"] == f"/cases/{case.id}"  # type: ignore[attr-defined]


def test_tasks_of_unreadable_cases_are_hidden(portal: Portal) -> None:
    _case, task_id = _review_task(portal)
    analyst = portal.login("analyst")
    assert "Review" not in text(analyst.get("/tasks?tab=unassigned"))
    assert analyst.get(f"/tasks/{task_id}").status_code == 403
