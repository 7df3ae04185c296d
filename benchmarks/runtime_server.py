"""A real CaseStudio HTTP server for the runtime benchmarks, and its bench bundle.

Why a real server (werkzeug, threaded) rather than Flask's test client: the
figures must include HTTP parsing, auth, JSON and the thread-per-request
server that ``casestudio serve`` uses in its simplest form, as a client sees
them. The bench case type's process is a loop — start → user task ``Work`` →
``${again}`` back to ``Work`` or end — so one BPMN serves case starts (first
wait = the user task), completions (``again: false`` ends it) and history
growth (``again: true`` loops), and the SpiffWorkflow floor runs the same XML.

Run as a module it is one replica for ``bench_runtime --servers N`` (see
``benchmarks.runtime_replicas``): a separate Python process, so replicas share
no GIL. It prints one JSON line ``{"port": P, "settings": {...}}`` once it
listens, and serves until its stdin closes (the parent's lifeline: a parent
that dies, even by SIGKILL, leaves no orphan) or it gets SIGTERM/SIGINT.

    python -m benchmarks.runtime_server --database URL --folder DIR [--port 0]
        [--replica]   # settings JSON on stdin's first line; no migrations/seeding
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from runtime.app import create_app
from runtime.settings import Settings
from tests.conftest import make_app
from tests.contract.engine_bpmn import bpmn, cond, end, flow, gateway, start, user
from tests.support import zip_files

PROCESS_ID = "bench"
LOOP_BPMN = bpmn(start(), gateway("exclusiveGateway", "merge"),
                 user("Task_Work", 'camunda:candidateGroups="worker" camunda:formKey="form:work"'),
                 gateway("exclusiveGateway", "again", default="f_again_end"), end(),
                 flow("start", "merge", "Task_Work", "again"), cond("again", "merge", "${again}"),
                 flow("again", "end"), pid=PROCESS_ID)
MANIFEST = """key: bench
name: Benchmark case
numbering: "BN-{seq:06}"
schema: forms/case.schema.json
title: "{{ data.title }}"
stages: [{key: open, name: Open}]
process: processes/bench.bpmn
forms: {work: forms/work.schema.json}
permissions: {create: [worker], read: [worker], update: [worker], manage: [analyst]}
"""
CASE_SCHEMA = {"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string", "maxLength": 200}, "n": {"type": "integer"}}}
WORK_SCHEMA = {"type": "object", "required": ["again"], "properties": {
    "again": {"type": "boolean"}, "n": {"type": "integer"}}}


def bench_bundle() -> bytes:
    return zip_files({"case-type.yaml": MANIFEST.encode(),
                      "forms/case.schema.json": json.dumps(CASE_SCHEMA).encode(),
                      "forms/work.schema.json": json.dumps(WORK_SCHEMA).encode(),
                      "processes/bench.bpmn": LOOP_BPMN})


class QuietHandler(WSGIRequestHandler):
    """werkzeug's handler as ``casestudio serve`` uses it, minus the line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def serving(database_url: str, folder: Path) -> Iterator[tuple[str, Any]]:
    """The app on 127.0.0.1:<random port> with the bench bundle deployed: (URL, app)."""
    app = make_app(database_url, folder, log_level="WARNING")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="bench-http", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        deploy(base)
        yield base, app
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["casestudio"].stop()


def deploy(base: str) -> None:
    """Deploy the bench bundle through the server at ``base`` (as an analyst)."""
    deployed = Client(base, "analyst").session.post(
        f"{base}/api/v1/bundles", data=bench_bundle(),
        headers={"Content-Type": "application/zip"}, timeout=60)
    deployed.raise_for_status()


class Client:
    """One benchmark client: a keep-alive session with a bearer token."""

    def __init__(self, base: str, user: str = "worker") -> None:
        self.base = base
        self.session = requests.Session()
        token = self.session.post(f"{base}/api/v1/auth/token",
                                  json={"username": user, "password": "demo"}, timeout=30)
        token.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.session.request(method, self.base + path, json=body, timeout=60)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def create_case(self, n: int = 0) -> dict[str, Any]:
        return dict(self.call("POST", "/api/v1/cases", {
            "caseType": "bench", "data": {"title": f"Benchmark case {n}", "n": n}}, 201))

    def open_task(self, case_id: str) -> str:
        [task] = self.call("GET", f"/api/v1/tasks?caseId={case_id}")["items"]
        return str(task["id"])

    def claim_and_complete(self, task_id: str, again: bool, n: int = 0) -> None:
        self.call("POST", f"/api/v1/tasks/{task_id}/claim")
        self.call("POST", f"/api/v1/tasks/{task_id}/complete",
                  {"data": {"again": again, "n": n}}, 204)


def build_app(args: argparse.Namespace, settings: dict[str, Any] | None) -> Any:
    """The first replica builds the app as the in-process server does (``make_app``:
    migrations + demo users); the others get its exact settings (stdin) and skip
    both, so seeding runs once and every replica is configured identically."""
    if settings is None:
        return make_app(args.database, Path(args.folder), log_level="WARNING")
    return create_app(Settings(**settings))


def _stop_on_eof_or_signal() -> threading.Event:
    """Set when stdin reaches EOF (parent gone or done) or on SIGTERM/SIGINT."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def watch() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch, name="bench-lifeline", daemon=True).start()
    return stop


def replica(args: argparse.Namespace) -> None:
    """Serve one replica until told to stop, then shut the server and the app down."""
    settings = json.loads(sys.stdin.readline()) if args.replica else None
    stop = _stop_on_eof_or_signal()  # before the (slow) build: Ctrl-C then still cleans up
    app = build_app(args, settings)
    server = make_server("127.0.0.1", args.port, app, threaded=True,
                         request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="bench-http", daemon=True)
    thread.start()
    effective = dataclasses.asdict(app.extensions["casestudio"].settings)
    print(json.dumps({"port": server.server_port, "settings": effective}), flush=True)
    try:
        stop.wait()
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["casestudio"].stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="one CaseStudio replica for bench_runtime")
    parser.add_argument("--database", required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--replica", action="store_true",
                        help="settings JSON on stdin's first line; no migrations/seeding")
    replica(parser.parse_args())


if __name__ == "__main__":
    main()
