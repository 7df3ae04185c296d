"""studio/static/js/live.js with the real socket.io-client browser bundle, run by Node.

Why Node and not a browser: the browser bundle only needs a global ``WebSocket``,
which Node 20 provides (``--experimental-websocket``), so the client's reconnect,
re-join and resync logic is tested against the live server in about a second.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import login
from tests.integration.test_realtime_support import (
    WAIT,
    build_app,
    create_case,
    live_server,
    token_of,
)
from tests.support import ROOT, require_server

BUNDLE = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
LIVE_JS = ROOT / "studio" / "static" / "js" / "live.js"
HARNESS = """
const fs = require("fs"), vm = require("vm"), readline = require("readline");
const [bundle, live, url, token, room] = process.argv.slice(2);
globalThis.window = globalThis;
vm.runInThisContext(fs.readFileSync(bundle, "utf8"), {filename: bundle});
vm.runInThisContext(fs.readFileSync(live, "utf8"), {filename: live});
const out = (kind, body) => process.stdout.write(JSON.stringify({kind, ...body}) + "\\n");
const Live = window.CaseStudioLive;
Live.onStatus((status, detail) => out("status", {status, detail}));
Live.onNotification((event, meta) => out("notification", {event, meta}));
let last = null;
Live.subscribe(room, (event, meta) => { last = event; out("event", {event, meta}); });
Live.subscribe("case:does-not-exist", () => out("leak", {}));
const socket = Live.connect({url, token});
readline.createInterface({input: process.stdin}).on("line", (line) => {
  if (line === "drop") socket.disconnect();
  if (line === "resume") socket.connect();
  if (line === "echo") socket.listeners("event").forEach((f) => f(last));  // a duplicate
  if (line === "quit") { socket.disconnect(); process.exit(0); }
});
"""


class Browser:
    """The harness process: commands on stdin, JSON lines (what live.js reported) on stdout."""

    def __init__(self, script: Path, url: str, token: str, room: str) -> None:
        self.process = subprocess.Popen(
            ["node", "--experimental-websocket", str(script), str(BUNDLE), str(LIVE_JS), url,
             token, room], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def expect(self, found: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                pytest.fail(f"live.js never reported it; saw {self.seen}")
            self.seen.append(line)
            if found(line):
                return line

    def close(self) -> None:
        self.send("quit")
        try:
            self.process.wait(timeout=WAIT)
        finally:
            self.process.kill()
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()


def status(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda line: line["kind"] == "status" and line["status"] == name


def comment_event(body: str) -> Callable[[dict[str, Any]], bool]:
    return lambda line: line["kind"] == "event" and line["event"]["data"].get("body") == body


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    if shutil.which("node") is None or not BUNDLE.exists():
        require_server("node and node_modules/socket.io-client (npm install) are needed")
    application = build_app(f"sqlite:///{tmp_path}/casestudio.db", tmp_path,
                            run_workers=False, run_jobs=False)
    yield application
    application.extensions["casestudio"].stop()


@pytest.fixture
def browser_for(app: Any, tmp_path: Path) -> Iterator[Callable[[str, str], Browser]]:
    script = tmp_path / "harness.js"
    script.write_text(HARNESS)
    opened: list[Browser] = []
    with live_server(app) as url:
        def open_browser(token: str, room: str) -> Browser:
            opened.append(Browser(script, url, token, room))
            return opened[-1]
        yield open_browser
        for browser in opened:
            browser.close()


def test_live_js_receives_resyncs_after_reconnect_and_drops_duplicates(
        app: Any, browser_for: Callable[[str, str], Browser]) -> None:
    case = create_case(login(app.test_client(), "worker"))
    manager = login(app.test_client(), "manager")
    url = f"/api/v1/cases/{case['id']}/comments"
    browser = browser_for(token_of(app, "worker"), f"case:{case['id']}")
    browser.expect(status("online"))
    denied = browser.expect(status("denied"))
    assert denied["detail"]["room"] == "case:does-not-exist"
    manager.post(url, {"body": "live"})
    assert browser.expect(comment_event("live"))["meta"] == {"replayed": False}
    browser.send("drop")
    browser.expect(status("offline"))
    for body in ("missed 1", "missed 2"):
        manager.post(url, {"body": body})
    app.extensions["casestudio"].relay.drain()
    browser.send("resume")
    first = browser.expect(comment_event("missed 1"))
    second = browser.expect(comment_event("missed 2"))
    assert first["meta"] == second["meta"] == {"replayed": True}
    assert first["event"]["seq"] < second["event"]["seq"]
    browser.send("echo")  # the overlap of resync and live delivery, made deterministic
    manager.post(url, {"body": "after"})
    assert browser.expect(comment_event("after"))["meta"] == {"replayed": False}
    bodies = [line["event"]["data"].get("body") for line in browser.seen
              if line["kind"] == "event" and line["event"]["type"] == "comment.added"]
    assert bodies == ["live", "missed 1", "missed 2", "after"]
    assert not any(line["kind"] == "leak" for line in browser.seen)


def test_live_js_reports_refusal_and_notifications(
        app: Any, browser_for: Callable[[str, str], Browser]) -> None:
    from models.cases import Case
    from runtime import topics

    refused = browser_for("not-a-token", "cases")
    assert refused.expect(status("refused"))["detail"]["error"] == "authentication required"
    case = create_case(login(app.test_client(), "worker"))
    browser = browser_for(token_of(app, "worker"), "cases")
    browser.expect(status("online"))
    container = app.extensions["casestudio"]
    with container.db.session() as s:
        topics.notify(s, None, s.get(Case, case["id"]), {"to": "user:worker", "title": "Hi"})
    note = browser.expect(lambda line: line["kind"] == "notification")
    assert note["event"]["data"] == {"title": "Hi"} and note["event"]["caseId"] == case["id"]
