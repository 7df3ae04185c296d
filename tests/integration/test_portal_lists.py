"""Dashboard, case list (filters, chips, sorting, keyset "load more", saved views), kanban.

These pages run aggregate and list SQL, so they run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.integration.portal_support import VALID, Portal, portal_app, text, toast

ROW = re.compile(r'<tr>\s*<td class="nowrap"><a href="/cases/([0-9a-f]{32})">')


@pytest.fixture
def portal(database_url: str, tmp_path: Path) -> Iterator[Portal]:
    yield from portal_app(database_url, tmp_path)


def _plate(i: int) -> dict[str, object]:
    return {**VALID, "plate": f"PL-{i:03d}"}


def test_dashboard_counts_by_type_stage_status_and_per_day(portal: Portal) -> None:
    cases = [portal.create_case(data=_plate(i)) for i in range(3)]
    portal.services.cases.set_status(portal.principal("worker"), cases[0].id, "closed")
    page = text(portal.login("worker").get("/dashboard"))
    assert re.search(r'<span class="kpi__value">2</span><span class="kpi__label">Open cases',
                     page)
    assert re.search(r'<span class="kpi__value">1</span><span class="kpi__label">Closed', page)
    assert "Parking permit" in page and "Intake" in page
    per_day = json.loads(re.search(r'id="per-day-data">(.*?)</script>', page, re.S).group(1))
    assert len(per_day) == 30
    assert per_day[-1] == [datetime.now(UTC).date().isoformat(), 3]


def test_list_filters_show_as_chips_and_search_matches_data(portal: Portal) -> None:
    first, second = portal.create_case(data=_plate(1)), portal.create_case(data=_plate(2))
    portal.services.cases.patch(portal.principal("worker"), second.id, {"stage": "review"})
    browser = portal.login("worker")
    page = text(browser.get("/cases?stage=review"))
    assert ROW.findall(page) == [second.id]
    assert "Stage: <strong>Review</strong>" in page
    assert 'aria-label="Remove filter Stage Review"' in page
    found = text(browser.get("/cases?q=pl-001"))
    assert ROW.findall(found) == [first.id]
    fragment = browser.get("/cases?q=pl-002", htmx=True, **{"HX-Target": "results"})
    assert "<html" not in text(fragment) and ROW.findall(text(fragment)) == [second.id]
    assert "No cases match" in text(browser.get("/cases?q=nothing-like-this"))


def test_sorting_and_keyset_load_more(portal: Portal) -> None:
    ids = [portal.create_case(data=_plate(i)).id for i in range(53)]
    browser = portal.login("worker")
    page = text(browser.get("/cases?sort=number"))
    first = ROW.findall(page)
    assert first == ids[:50]
    assert 'aria-sort="ascending"' in page
    more = re.search(r'hx-get="(/cases/rows\?[^"]*cursor=[^"]+)"', page).group(1)
    more = more.replace("&amp;", "&")
    rest = text(browser.get(more, htmx=True))
    assert ROW.findall(rest) == ids[50:] and "Load more" not in rest
    newest = ROW.findall(text(browser.get("/cases")))
    assert newest[0] == ids[-1]


def test_saved_views_are_per_user(portal: Portal) -> None:
    worker, manager = portal.login("worker"), portal.login("manager")
    saved = worker.post("/cases/views", {"name": "In review", "query": "stage=review&cursor=x"})
    assert saved.status_code == 302 and saved.headers["Location"] == "/cases?stage=review"
    page = text(worker.get("/cases"))
    assert '<a href="/cases?stage=review">In review</a>' in page
    assert "In review" not in text(manager.get("/cases"))
    view_id = re.search(r'/cases/views/([0-9a-f]+)/delete', page).group(1)
    manager.post(f"/cases/views/{view_id}/delete")
    assert "In review" in text(worker.get("/cases"))
    refused = worker.post("/cases/views", {"name": " ", "query": ""})
    assert refused.status_code == 302
    worker.post(f"/cases/views/{view_id}/delete")
    assert "In review" not in text(worker.get("/cases"))


def test_kanban_moves_a_card_and_refuses_a_stale_one(portal: Portal) -> None:
    case = portal.create_case()
    manager = portal.login("manager")
    board = text(manager.get("/cases/board?caseType=permit"))
    assert 'data-stage="intake"' in board and 'draggable="true"' in board
    moved = manager.post(f"/cases/{case.id}/stage", {"stage": "review", "revision": "1",
                                                      "caseType": "permit"}, htmx=True)
    assert moved.status_code == 200
    assert "moved to Review" in toast(moved)
    assert 'data-stage="review"' in text(moved)
    assert portal.services.cases.get(portal.principal("manager"), case.id).stage == "review"
    stale = manager.post(f"/cases/{case.id}/stage", {"stage": "done", "revision": "1",
                                                      "caseType": "permit"}, htmx=True)
    assert stale.status_code == 412 and "changed this case meanwhile" in toast(stale)
    bad = manager.post(f"/cases/{case.id}/stage", {"stage": "nowhere", "caseType": "permit"})
    assert bad.status_code == 302
    assert portal.services.cases.get(portal.principal("manager"), case.id).stage == "review"


def test_kanban_without_update_permission_is_read_only(portal: Portal, tmp_path: Path) -> None:
    viewer = portal.add_viewer(tmp_path)
    case = portal.create_case()
    board = text(viewer.get("/cases/board?caseType=permit"))
    assert case.number in board
    assert 'draggable="true"' not in board and "card__move" not in board
    assert "You may view this board but not move cases." in board
    refused = viewer.post(f"/cases/{case.id}/stage", {"stage": "review", "caseType": "permit"})
    assert refused.status_code == 403
