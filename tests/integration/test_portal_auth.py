"""Portal shell and security: login, logout, redirects, CSRF, navigation by permission."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.portal_support import Portal, portal_app, sqlite_url, text
from tests.support import require_server


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    yield from portal_app(sqlite_url(tmp_path), tmp_path)


def test_login_form_has_labelled_fields_and_lands_on_the_dashboard(portal: Portal) -> None:
    client = portal.app.test_client()
    page = text(client.get("/login"))
    assert '<label for="username">Username</label>' in page
    assert '<label for="password">Password</label>' in page
    browser = portal.login("worker")
    home = browser.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/dashboard")
    dashboard = browser.get("/dashboard")
    assert dashboard.status_code == 200 and "Walter Worker" in text(dashboard)


def test_anonymous_users_are_sent_to_login_with_a_safe_next(portal: Portal) -> None:
    client = portal.app.test_client()
    response = client.get("/cases?stage=review")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/cases?stage%3Dreview"
    htmx = client.get("/cases", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
    page = text(client.get("/login?next=//evil.example/x"))
    assert "evil.example" not in page


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(portal: Portal) -> None:
    client = portal.app.test_client()
    assert client.get("/login").status_code == 200  # the form puts a CSRF token in the session
    with client.session_transaction() as session:
        csrf = session["csrf"]
    response = client.post("/login", data={"csrf_token": csrf, "username": "worker",
                                           "password": "nope"})
    assert response.status_code == 401
    assert "Unknown username or wrong password." in text(response)


def test_posts_without_the_csrf_token_are_refused(portal: Portal) -> None:
    case = portal.create_case()
    browser = portal.login("worker")
    refused = browser.post(f"/cases/{case.id}/comments", {"body": "sneaky"}, csrf=False)
    assert refused.status_code == 403
    assert "session expired" in text(refused)
    assert portal.services.cases.comments(portal.principal("worker"), case.id) == []
    forged = browser.post(f"/cases/{case.id}/comments", {"body": "x", "csrf_token": "forged"},
                          csrf=False)
    assert forged.status_code == 403
    logout = browser.post("/logout", csrf=False)
    assert logout.status_code != 302
    assert browser.get("/dashboard").status_code == 200  # still logged in


def test_logout_ends_the_session(portal: Portal) -> None:
    browser = portal.login("worker")
    assert browser.post("/logout").status_code == 302
    assert browser.get("/dashboard").status_code == 302


def test_navigation_shows_studio_and_admin_by_permission(portal: Portal) -> None:
    worker = text(portal.login("worker").get("/dashboard"))
    assert 'href="/cases"' in worker and 'href="/tasks"' in worker
    assert 'href="/admin/"' not in worker and 'href="/studio"' not in worker
    admin = text(portal.login("admin").get("/dashboard"))
    assert 'href="/admin/"' in admin
    analyst = text(portal.login("analyst").get("/dashboard"))
    assert 'href="/studio"' in analyst and 'href="/admin/"' not in analyst
    assert portal.login("worker").get("/studio").status_code == 403
    assert portal.login("analyst").get("/studio").status_code == 200


def test_user_data_is_escaped_everywhere(portal: Portal) -> None:
    evil = {"applicant": {"name": "<script>alert(1)</script>", "email": "x@example.org"},
            "plate": "AB-1"}
    case = portal.create_case(data=evil)
    browser = portal.login("worker")
    for url in ("/cases", f"/cases/{case.id}", "/cases/board?caseType=permit"):
        page = text(browser.get(url))
        assert "<script>alert(1)</script>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


def test_vendor_files_are_whitelisted_and_pages_report_server_time(portal: Portal) -> None:
    client = portal.app.test_client()
    assert client.get("/vendor/htmx.org/package.json").status_code == 404
    assert client.get("/vendor/htmx.org/../../package.json").status_code == 404
    assert client.get("/vendor/unknown/dist/x.js").status_code == 404
    served = client.get("/vendor/socket.io-client/socket.io.min.js")
    if served.status_code == 404:
        require_server("node_modules is not installed (run npm ci / make install)")
    assert served.status_code == 200 and served.mimetype.endswith("javascript")
    timing = portal.login("worker").get("/cases").headers["Server-Timing"]
    assert timing.startswith("app;dur=")


def test_unknown_and_forbidden_cases_are_friendly_pages(portal: Portal) -> None:
    case = portal.create_case()
    missing = portal.login("worker").get("/cases/doesnotexist")
    assert missing.status_code == 404 and "Not found" in text(missing)
    forbidden = portal.login("analyst").get(f"/cases/{case.id}")
    assert forbidden.status_code == 403 and "Not allowed" in text(forbidden)
    assert "Traceback" not in text(forbidden)
