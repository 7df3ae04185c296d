"""Helpers for the realtime tests: a live server on a random port and a recording client.

Why a live server and not Flask-SocketIO's test client: the test client skips
the websocket transport, the handshake (cookies, Origin) and the threads the
relay emits from, which are exactly what can break.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import socketio
import websocket

from tests.conftest import login, make_app
from tests.support import ROOT, Api, zip_folder
from tests.support import live_server as live_server  # re-exported for the realtime tests

PERMIT = ROOT / "tests" / "fixtures" / "bundles" / "permit"
VALID = {"applicant": {"name": "Rosa Diaz", "email": "rosa@example.org"}, "plate": "AB-123"}
WAIT = 10.0  # generous: the suite shares 2 cores with everything else


def build_app(database_url: str, tmp_path: Path, deploy: bool = True,
              **overrides: Any) -> Any:
    """A demo app with socket.io mounted (and the permit bundle deployed)."""
    from runtime.realtime import init_realtime

    app = make_app(database_url, tmp_path, **overrides)
    init_realtime(app)  # a no-op once create_app mounts it itself
    if deploy:
        analyst = login(app.test_client(), "analyst")
        assert analyst.deploy(zip_folder(PERMIT)).status_code == 201
    return app


class QuickClose(websocket.WebSocket):
    """The python client's read thread races its ``close()`` for the server's close frame,
    and the loser then waits 3 s for a second one; browsers don't, so tests shouldn't."""

    def close(self, status: int = websocket.STATUS_NORMAL, reason: bytes = b"",
              timeout: int | float = 0.05) -> None:
        super().close(status, reason, timeout)


class Listener:
    """A python-socketio client that records every ``event`` and ``notification``."""

    def __init__(self, origin: str | None = None, **client_options: Any) -> None:
        options = {"class_": QuickClose, **({"origin": origin} if origin else {})}
        self.client = socketio.Client(reconnection=False, websocket_extra_options=options,
                                      **client_options)
        self.events: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.event_times: list[float] = []  # perf_counter() of each ``events`` entry
        self.refusals: list[Any] = []
        self._changed = threading.Condition()
        self.client.on("event", self._on_event)
        self.client.on("notification", lambda p: self._record(self.notifications, p))
        self.client.on("connect_error", self.refusals.append)

    def _on_event(self, payload: dict[str, Any]) -> None:
        self.event_times.append(time.perf_counter())
        self._record(self.events, payload)

    def _record(self, into: list[dict[str, Any]], payload: dict[str, Any]) -> None:
        with self._changed:
            into.append(payload)
            self._changed.notify_all()

    def connect(self, url: str, **kwargs: Any) -> Listener:
        self.client.connect(url, transports=["websocket"], wait_timeout=WAIT, **kwargs)
        return self

    def call(self, name: str, data: Any) -> Any:
        return self.client.call(name, data, timeout=WAIT)

    def subscribe(self, room: str) -> Any:
        return self.call("subscribe", {"room": room})

    def wait_for(self, found: Callable[[Listener], bool], timeout: float = WAIT) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: found(self), timeout=timeout):
                pytest.fail(f"timed out; events: {[e['type'] for e in self.events]}")

    def types(self, room: str) -> list[str]:
        return [e["type"] for e in self.events if e["room"] == room]

    def close(self) -> None:
        self.client.disconnect()


@contextmanager
def listening(url: str, **kwargs: Any) -> Iterator[Listener]:
    listener = Listener().connect(url, **kwargs)
    try:
        yield listener
    finally:
        listener.close()


def token_of(app: Any, username: str) -> str:
    return str(login(app.test_client(), username).token)


def create_case(api: Api, data: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post("/api/v1/cases", {"caseType": "permit", "data": data or VALID})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]
