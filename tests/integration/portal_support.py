"""Helpers for the portal/admin page tests: an app with the permit bundle, browser logins.

Why a "browser" over Flask's test client: the pages authenticate with the
session cookie and check a CSRF token on every POST, exactly as a browser
uses them; each user gets their own cookie jar.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.views import SavedView
from runtime.deploy import deploy_path
from tests.conftest import make_app
from tests.support import ROOT

PERMIT = ROOT / "tests" / "fixtures" / "bundles" / "permit"
VALID = {"applicant": {"name": "Rosa Diaz", "email": "rosa@example.org"}, "plate": "AB-123"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """One user's session: GET pages, POST forms with (or without) the CSRF token."""

    def __init__(self, client: Any, user: str) -> None:
        self.client = client
        self.user = user

    @property
    def csrf(self) -> str:
        with self.client.session_transaction() as session:
            return str(session.get("csrf", ""))

    def get(self, url: str, htmx: bool = False, **headers: str) -> Any:
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(url, headers=headers)

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True,
             htmx: bool = False, **kw: Any) -> Any:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(url, data=form, headers=headers, **kw)


@dataclass
class Portal:
    """An app with the demo users and the permit case type deployed."""

    app: Any

    @property
    def services(self) -> Any:
        return self.app.extensions["casestudio"]

    def login(self, user: str, password: str = "demo") -> Browser:
        """Log in through the real login form (CSRF included)."""
        client = self.app.test_client()
        page = client.get("/login")
        token = CSRF.search(page.get_data(as_text=True))
        assert token, "the login form has no CSRF field"
        response = client.post("/login", data={"csrf_token": token.group(1), "username": user,
                                                "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return Browser(client, user)

    def principal(self, user: str) -> Any:
        from connectors.identity import Principal
        from seed.loader import DEMO_USERS

        return Principal(id=user, roles=tuple(DEMO_USERS[user][0]))

    def create_case(self, user: str = "worker", data: dict[str, Any] | None = None) -> Any:
        return self.services.cases.create(self.principal(user), "permit", data or VALID)

    def run_workers(self) -> int:
        """Let the built-in workers handle every waiting external task (deterministic)."""
        done = 0
        while handled := self.services.workers.run_once():
            done += handled
        return done

    def deploy(self, folder: Path) -> Any:
        return deploy_path(self.services, folder)[0]

    def failing_permit(self, tmp_path: Path) -> Any:
        """Deploy a permit version whose ``case.set-stage`` step asks for an unknown stage:
        the built-in worker fails it until its retries run out (an incident)."""
        bundle = tmp_path / "permit-failing"
        shutil.copytree(PERMIT, bundle)
        bpmn = bundle / "processes" / "permit.bpmn"
        bpmn.write_text(bpmn.read_text().replace(
            '<camunda:inputParameter name="stage">review<', '<camunda:inputParameter '
            'name="stage">nowhere<'))
        return self.deploy(bundle)

    def add_viewer(self, tmp_path: Path) -> Browser:
        """A user whose role may read permit cases but not change them (logged in)."""
        bundle = tmp_path / "permit-viewer"
        shutil.copytree(PERMIT, bundle)
        yaml = bundle / "case-type.yaml"
        yaml.write_text(yaml.read_text().replace("read: [worker, manager]",
                                                 "read: [worker, manager, viewer]"))
        self.deploy(bundle)
        self.services.refresh_policy()
        self.services.identity.add_user("viewer", "demo", ["viewer"], demo=True)
        return self.login("viewer")


def portal_app(database_url: str, tmp_path: Path) -> Iterator[Portal]:
    """Build the app (workers and jobs driven by the test), deploy permit, clean up."""
    app = make_app(database_url, tmp_path, run_workers=False, run_jobs=False)
    services = app.extensions["casestudio"]
    # Until the saved_views migration is generated, tests create the table themselves.
    SavedView.__table__.create(services.db.engine, checkfirst=True)
    deploy_path(services, PERMIT)
    services.refresh_policy()
    try:
        yield Portal(app)
    finally:
        services.stop()


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/portal.db"


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def toast(response: Any) -> str:
    """The message an htmx response asks the page to show as a toast."""
    return str(json.loads(response.headers["HX-Trigger"])["cs-toast"]["message"])
