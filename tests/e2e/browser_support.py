"""Browser tests: the app served on 127.0.0.1:<random port> and Debian's Chromium.

Why Debian's Chromium and not ``playwright install``: the browser download
cannot work here; Playwright drives the system browser through
``executable_path``. Under ``CI=true`` a missing browser fails the run instead
of skipping it (like every other required server).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support import ROOT, require_server
from tests.support import live_server as serve  # noqa: F401 - re-exported for the e2e tests

CHROMIUM = os.environ.get("CASESTUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
#: Set to a folder (e.g. docs/screenshots) to save the pages the scenarios visit.
SHOTS = os.environ.get("CASESTUDIO_SCREENSHOTS", "")


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless; a missing browser skips locally and fails in CI."""
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        require_server("Chromium is not installed (apt-get install -y chromium)")
    path = CHROMIUM if Path(CHROMIUM).is_file() else str(shutil.which("chromium"))
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)


def log_in(browser: Any, base: str, user: str) -> Any:
    """A fresh browser context logged in through the login form; returns its page."""
    context = browser.new_context(viewport=VIEWPORT, base_url=base)
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    page.goto("/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    return page


def wait_live(page: Any) -> None:
    """Wait until live.js reports an open websocket (rooms joined on connect)."""
    page.wait_for_selector("#live-status[data-state=online]", timeout=10_000)


def screenshot(page: Any, name: str) -> None:
    """Save the current page as ``<SHOTS>/<name>.png`` when screenshots are requested."""
    if SHOTS:
        folder = Path(SHOTS) if Path(SHOTS).is_absolute() else ROOT / SHOTS
        folder.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(300)  # let charts and diagrams finish drawing
        page.screenshot(path=str(folder / f"{name}.png"))


def eventually(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy (background workers are async)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "condition not met in time"
            return value
        time.sleep(interval)


def api_token(base: str, user: str) -> str:
    """A bearer token for a demo user of the served app (the API side of a browser test)."""
    import requests

    response = requests.post(f"{base}/api/v1/auth/token",
                             json={"username": user, "password": "demo"}, timeout=10)
    response.raise_for_status()
    return str(response.json()["access_token"])
