"""The case page: header, data form with optimistic locking, timeline, comments,
documents, close/reopen, diagram data."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.portal_support import Portal, portal_app, sqlite_url, text, toast


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    yield from portal_app(sqlite_url(tmp_path), tmp_path)


def _form(case: object, **changes: str) -> dict[str, str]:
    """The data form as the browser posts it (field names = JSON pointers under 'case')."""
    data = {"_seen": "case", "case/applicant/name": "Rosa Diaz",
            "case/applicant/email": "rosa@example.org", "case/plate": "AB-123",
            "case/zone": "A", "case/amount": "", "case/disabled": "false",
            "case/badgeNumber": "", "revision": str(case.revision)}  # type: ignore[attr-defined]
    data.update(changes)
    return data


def test_case_page_shows_header_stepper_form_tasks_and_timeline(portal: Portal) -> None:
    case = portal.create_case()
    portal.run_workers()  # the process moves the case to review and opens the Review task
    page = text(portal.login("worker").get(f"/cases/{case.id}"))
    assert case.number in page and "Rosa Diaz — AB-123" in page
    assert re.search(r'stepper__step--done".*Intake', page, re.S)
    assert re.search(r'stepper__step--current" aria-current="step">.*Review', page, re.S)
    assert 'name="case/plate"' in page and 'value="AB-123"' in page
    assert "Complete “Review”" in page and 'name="t' in page
    assert "moved the case from Intake to Review" in page
    assert "task “Review” opened" in page
    diagram = portal.login("worker").get(f"/cases/{case.id}/diagram").get_json()
    assert diagram["active"] == ["Task_Review"] and "<bpmn:definitions" in diagram["xml"]


def test_saving_the_data_form_uses_the_revision(portal: Portal) -> None:
    case = portal.create_case()
    browser = portal.login("worker")
    saved = browser.post(f"/cases/{case.id}/data", _form(case, **{"case/plate": "XY-9"}))
    assert saved.status_code == 302
    fresh = portal.services.cases.get(portal.principal("worker"), case.id)
    assert fresh.data["plate"] == "XY-9" and fresh.revision == case.revision + 1
    assert fresh.data["zone"] == "A" and "amount" not in fresh.data
    assert "Changes saved." in text(browser.get(f"/cases/{case.id}"))


def test_invalid_data_is_shown_at_the_field_and_input_is_kept(portal: Portal) -> None:
    case = portal.create_case()
    response = portal.login("worker").post(
        f"/cases/{case.id}/data", _form(case, **{"case/plate": "bad plate",
                                                  "case/applicant/email": "not-an-email"}))
    assert response.status_code == 422
    page = text(response)
    assert 'value="bad plate"' in page and 'value="not-an-email"' in page
    assert re.search(r'id="case-plate"[^>]*aria-invalid="true"', page)
    assert re.search(r'class="cs-error" id="case-applicant-email__error"', page)
    assert portal.services.cases.get(portal.principal("worker"), case.id).data["plate"] == \
        "AB-123"


def test_a_concurrent_change_shows_a_banner_and_keeps_the_input(portal: Portal) -> None:
    case = portal.create_case()
    portal.services.cases.patch(portal.principal("manager"), case.id, {"queue": "priority"})
    response = portal.login("worker").post(f"/cases/{case.id}/data",
                                           _form(case, **{"case/plate": "MINE-1"}))
    assert response.status_code == 409
    page = text(response)
    assert "Someone changed this case while you were editing." in page
    assert 'value="MINE-1"' in page
    assert f'name="revision" value="{case.revision + 1}"' in page  # saving again overwrites
    fresh = portal.services.cases.get(portal.principal("worker"), case.id)
    assert fresh.data["plate"] == "AB-123" and fresh.queue == "priority"


def test_comments_appear_in_the_timeline(portal: Portal) -> None:
    case = portal.create_case()
    browser = portal.login("worker")
    added = browser.post(f"/cases/{case.id}/comments", {"body": "Called the <applicant>"},
                         htmx=True)
    assert added.status_code == 200 and "Comment added." in toast(added)
    assert "Called the &lt;applicant&gt;" in text(added) and "<html" not in text(added)
    empty = browser.post(f"/cases/{case.id}/comments", {"body": "  "}, htmx=True)
    assert empty.status_code == 422 and "comment" in toast(empty)
    plain = browser.post(f"/cases/{case.id}/comments", {"body": "Second note"})
    assert plain.status_code == 302
    timeline = text(browser.get(f"/cases/{case.id}/timeline"))
    assert timeline.index("Second note") < timeline.index("Called the")  # newest first


def test_documents_upload_and_download(portal: Portal) -> None:
    case = portal.create_case()
    browser = portal.login("worker")
    uploaded = browser.post(f"/cases/{case.id}/documents",
                            {"file": (io.BytesIO(b"%PDF-1.4 hello"), "permit scan.pdf")},
                            htmx=True, content_type="multipart/form-data")
    assert uploaded.status_code == 200, text(uploaded)
    assert "uploaded permit scan.pdf" in text(uploaded)
    link = re.search(r'href="(/api/v1/cases/[^"]+/content)"', text(uploaded)).group(1)
    download = browser.get(link)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 hello"
    missing = browser.post(f"/cases/{case.id}/documents", {}, htmx=True)
    assert missing.status_code == 422
    page = text(browser.get(f"/cases/{case.id}"))
    assert "permit scan.pdf" in page and "data-upload" in page


def test_close_and_reopen_with_confirmation(portal: Portal) -> None:
    case = portal.create_case()
    browser = portal.login("worker")
    page = text(browser.get(f"/cases/{case.id}"))
    assert re.search(r'data-confirm="Close ' + case.number, page)
    assert browser.post(f"/cases/{case.id}/close").status_code == 302
    assert portal.services.cases.get(portal.principal("worker"), case.id).status == "closed"
    again = browser.post(f"/cases/{case.id}/close")
    assert again.status_code == 302
    assert "already closed" in text(browser.get(f"/cases/{case.id}"))
    browser.post(f"/cases/{case.id}/reopen")
    assert portal.services.cases.get(portal.principal("worker"), case.id).status == "open"


def test_assignment_from_the_side_panel(portal: Portal) -> None:
    case = portal.create_case()
    browser = portal.login("worker")
    browser.post(f"/cases/{case.id}/assignment", {"queue": "priority", "assignee": "",
                                                   "assign_me": "1",
                                                   "revision": str(case.revision)})
    fresh = portal.services.cases.get(portal.principal("worker"), case.id)
    assert (fresh.queue, fresh.assignee) == ("priority", "worker")
    stale = browser.post(f"/cases/{case.id}/assignment", {"assignee": "bob", "revision": "1"})
    assert stale.status_code == 302
    assert portal.services.cases.get(portal.principal("worker"), case.id).assignee == "worker"


def test_readers_without_update_rights_get_a_read_only_form(portal: Portal,
                                                            tmp_path: Path) -> None:
    viewer = portal.add_viewer(tmp_path)
    case = portal.create_case()
    page = text(viewer.get(f"/cases/{case.id}"))
    assert case.number in page and "Save changes" not in page and "Close case" not in page
    assert re.search(r'id="case-plate"[^>]*(disabled|readonly)', page)
    refused = viewer.post(f"/cases/{case.id}/data", _form(case, **{"case/plate": "XY-1"}))
    assert refused.status_code == 403
    assert "Save changes" in text(portal.login("manager").get(f"/cases/{case.id}"))
