"""The OPA adapter's requests and its reading of answers, against a local HTTP server.

No package on the registries we use ships an ``opa`` binary, so this server is
not OPA: it records each request and replies with fixed OPA-shaped JSON
(``{"result": ...}``, 204 for data writes). What it proves is the contract on
our side: paths, bodies, headers, and fail-closed handling of bad answers.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from policies import PolicyError, Scope, open_policy
from policies.opa import OpaPolicy, base_url, token_of

ALLOW = "/v1/data/casestudio/authz/allow"
SCOPE = "/v1/data/casestudio/authz/scope"
ALICE = {"id": "alice", "roles": ["worker"], "tenant": "default"}
GRANT = {"kind": "case", "tenant": "default", "caseType": "grant"}


class Recorder(ThreadingHTTPServer):
    """Remembers every request; answers ``(method, path)`` from ``answers``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[dict[str, Any]] = []
        self.answers: dict[tuple[str, str], tuple[int, bytes]] = {}

    def answer(self, method: str, path: str, status: int, body: Any = None) -> None:
        if not isinstance(body, bytes):
            body = b"" if body is None else json.dumps(body).encode()
        self.answers[(method, path)] = (status, body)

    @property
    def url(self) -> str:
        return f"opa+http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_GET(self) -> None:
        self.serve()

    def do_POST(self) -> None:
        self.serve()

    def do_PUT(self) -> None:
        self.serve()

    def serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.server.seen.append({"method": self.command, "path": self.path,
                                 "headers": dict(self.headers),
                                 "body": json.loads(raw) if raw else None})
        status, body = self.server.answers.get((self.command, self.path),
                                               (404, b'{"code": "resource_not_found"}'))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def running() -> Iterator[Recorder]:
    recorder = Recorder()
    thread = threading.Thread(target=recorder.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield recorder
    recorder.shutdown()
    recorder.server_close()
    thread.join(timeout=5)


@pytest.fixture
def server(running: Recorder) -> Recorder:
    """The shared server with no recorded requests or answers left from other tests."""
    running.seen.clear()
    running.answers.clear()
    return running


@pytest.fixture
def opa(server: Recorder) -> OpaPolicy:
    return OpaPolicy(server.url)


def test_allowed_posts_the_input_document(server: Recorder, opa: OpaPolicy) -> None:
    server.answer("POST", ALLOW, 200, {"result": True, "decision_id": "d1"})
    assert opa.allowed(ALICE, "case.read", GRANT) is True
    [request] = server.seen
    assert request["body"] == {"input": {"subject": ALICE, "action": "case.read",
                                         "resource": GRANT}}
    assert request["headers"]["Content-Type"] == "application/json"
    assert "Authorization" not in request["headers"]


@pytest.mark.parametrize("answer", [{"result": False}, {}, {"result": "true"}, {"result": 1}])
def test_anything_but_result_true_is_a_denial(server: Recorder, opa: OpaPolicy,
                                              answer: dict[str, Any]) -> None:
    server.answer("POST", ALLOW, 200, answer)
    assert opa.allowed(ALICE, "case.read", GRANT) is False


def test_scope_posts_subject_and_action(server: Recorder, opa: OpaPolicy) -> None:
    server.answer("POST", SCOPE, 200, {"result": {"all": False, "caseTypes": ["grant"],
                                                  "tenant": "default"}})
    assert opa.scope(ALICE, "case.read") == Scope("default", frozenset({"grant"}))
    assert server.seen[0]["body"] == {"input": {"subject": ALICE, "action": "case.read"}}


def test_undefined_scope_permits_nothing(server: Recorder, opa: OpaPolicy) -> None:
    server.answer("POST", SCOPE, 200, {})
    assert opa.scope(ALICE, "case.read").is_empty


def test_set_data_puts_each_document(server: Recorder, opa: OpaPolicy) -> None:
    server.answer("PUT", "/v1/data/caseTypes", 204)
    case_types = {"default": {"grant": {"permissions": {"read": ["worker"]}}}}
    opa.set_data({"caseTypes": case_types})
    assert [(r["method"], r["path"], r["body"]) for r in server.seen] == [
        ("PUT", "/v1/data/caseTypes", case_types)]


def test_open_policy_pushes_initial_data(server: Recorder) -> None:
    server.answer("PUT", "/v1/data/caseTypes", 204)
    policy = open_policy(server.url, {"caseTypes": {}})
    assert isinstance(policy, OpaPolicy)
    assert [r["path"] for r in server.seen] == ["/v1/data/caseTypes"]


def test_token_is_sent_as_bearer_and_kept_out_of_reports(server: Recorder) -> None:
    server.answer("POST", ALLOW, 200, {"result": True})
    server.answer("GET", "/health", 500, {"code": "internal_error"})
    opa = OpaPolicy(server.url + "?token=s3cret")
    assert opa.allowed(ALICE, "case.read", GRANT)
    assert server.seen[0]["headers"]["Authorization"] == "Bearer s3cret"
    report = opa.check()
    assert report["status"] == "error" and "s3cret" not in json.dumps(report)


def test_path_prefix_is_kept(server: Recorder) -> None:
    server.answer("POST", "/opa" + ALLOW, 200, {"result": True})
    assert OpaPolicy(server.url + "/opa/").allowed(ALICE, "case.read", GRANT)


def test_check_reports_opa_health(server: Recorder, opa: OpaPolicy) -> None:
    server.answer("GET", "/health", 200, {})
    assert opa.check() == {"status": "ok", "backend": "opa", "url": server.url[4:]}


@pytest.mark.parametrize(("status", "body"), [(500, {"code": "internal_error"}),
                                               (400, {"code": "invalid_parameter"}),
                                               (200, b"<html>proxy error</html>"),
                                               (200, [True])])
def test_bad_answers_raise_instead_of_deciding(server: Recorder, opa: OpaPolicy, status: int,
                                               body: Any) -> None:
    server.answer("POST", ALLOW, status, body)
    with pytest.raises(PolicyError, match=r"OPA at http://127\.0\.0\.1"):
        opa.allowed(ALICE, "case.read", GRANT)


def test_unreachable_opa_raises_and_is_unhealthy() -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    opa = OpaPolicy(f"opa+http://127.0.0.1:{port}", timeout=(1.0, 1.0))
    with pytest.raises(PolicyError, match="unreachable"):
        opa.allowed(ALICE, "case.read", GRANT)
    assert opa.check()["status"] == "error"


@pytest.mark.parametrize(("url", "base", "token"), [
    ("opa+http://opa:8181", "http://opa:8181", None),
    ("opa+https://user:pw@opa.example.org/p/?token=t", "https://opa.example.org/p", "t"),
    ("OPA+HTTP://opa:8181?x=1", "http://opa:8181", None),
])
def test_url_parsing(url: str, base: str, token: str | None) -> None:
    assert (base_url(url), token_of(url)) == (base, token)
