"""New case through the generated form: choose a type, server validation, land on the case."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.portal_support import Portal, portal_app, sqlite_url, text


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    yield from portal_app(sqlite_url(tmp_path), tmp_path)


FORM = {"_seen": "f", "f/applicant/name": "Rosa Diaz", "f/applicant/email": "rosa@example.org",
        "f/plate": "AB-123", "f/zone": "B", "f/amount": "12.5", "f/disabled": "false",
        "f/badgeNumber": ""}


def test_type_choice_and_generated_form(portal: Portal) -> None:
    browser = portal.login("worker")
    only = browser.get("/cases/new")
    assert only.status_code == 302 and only.headers["Location"] == "/cases/new/permit"
    chooser = text(browser.get("/cases/new?choose=1"))
    assert 'href="/cases/new/permit"' in chooser and "Parking permit" in chooser
    form = text(browser.get("/cases/new/permit"))
    assert re.search(r'<label class="cs-label" for="f-plate">Licence plate', form)
    assert 'placeholder="AB-123"' in form and 'name="csrf_token"' in form


def test_invalid_fields_are_reported_at_the_field_then_the_case_is_created(
        portal: Portal) -> None:
    browser = portal.login("worker")
    bad = browser.post("/cases/new/permit", {**FORM, "f/applicant/email": "rosa-at-example",
                                             "f/plate": "ab 1"})
    assert bad.status_code == 422
    page = text(bad)
    assert "please correct the 2 fields" in page
    assert re.search(r'id="f-applicant-email"[^>]*aria-invalid="true"', page)
    assert re.search(r'id="f-plate"[^>]*aria-describedby="[^"]*f-plate__error', page)
    assert 'value="rosa-at-example"' in page and 'value="ab 1"' in page
    assert portal.services.case_queries.list(portal.principal("worker"), _all())[0] == []
    good = browser.post("/cases/new/permit", FORM)
    assert good.status_code == 302
    rows, _ = portal.services.case_queries.list(portal.principal("worker"), _all())
    assert len(rows) == 1 and good.headers["Location"] == f"/cases/{rows[0].id}"
    assert rows[0].data["zone"] == "B" and rows[0].data["amount"] == 12.5
    landed = text(browser.get(good.headers["Location"]))
    assert f"Created {rows[0].number}." in landed


def test_typing_errors_and_missing_required_fields(portal: Portal) -> None:
    browser = portal.login("worker")
    response = browser.post("/cases/new/permit", {**FORM, "f/amount": "twelve",
                                                  "f/plate": ""})
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="f-amount__error"', page) and "twelve" in page
    assert re.search(r'id="f-plate"[^>]*aria-invalid="true"', page)


def test_roles_without_create_permission_are_refused(portal: Portal, tmp_path: Path) -> None:
    viewer = portal.add_viewer(tmp_path)  # may read permit cases, not create them
    assert "You cannot open cases" in text(viewer.get("/cases/new"))
    assert viewer.get("/cases/new/permit").status_code == 403
    assert viewer.post("/cases/new/permit", FORM).status_code == 403
    assert portal.login("worker").get("/cases/new/nosuchtype").status_code == 404


def _all() -> object:
    from runtime.case_queries import CaseQuery

    return CaseQuery(filters={})
