"""``casestudio serve --processes N``: N serving processes sharing one listening socket.

Why: one process is bound by Python's GIL to about one core; a threaded server
cannot use the others. The parent opens the socket, then forks N children
*before* anything starts a thread or a database pool; each child builds its own
app (relay, job executor, built-in workers, policy sync: all safe to run in
every process) and accepts from the shared socket, so the kernel spreads
connections over them. Live updates need no sticky sessions (the browser speaks
websocket only) but do need ``SOCKETIO_QUEUE_URL``: an event reaches the
socket.io clients of whichever process relayed it, and the queue fans it out.
The parent only supervises: it restarts a child that dies and stops them all
on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from typing import Any

from runtime.settings import Settings

log = logging.getLogger(__name__)
#: A child that dies sooner than this after its start is not restarted (a crash loop).
MIN_LIFETIME_SECONDS = 10.0


class ServeError(Exception):
    """Several processes were asked for, but this configuration cannot share them."""


def check_shareable(settings: Settings) -> None:
    """Refuse set-ups in which several processes would misbehave."""
    if not settings.socketio_queue_url:
        raise ServeError("several processes need SOCKETIO_QUEUE_URL (e.g. redis://…): live "
                         "updates relayed by one process must reach every process's clients")
    if settings.database_url.rstrip("/").endswith(":memory:") or \
            settings.database_url in ("sqlite://", "sqlite:///"):
        raise ServeError("several processes need a database they can share, not in-memory SQLite")


def serve_processes(settings: Settings, host: str, port: int, count: int) -> None:
    """Fork ``count`` children serving one socket; supervise them until told to stop."""
    check_shareable(settings)
    listener = socket.create_server((host, port), backlog=512)
    listener.setblocking(False)  # a child that loses the race for a connection moves on
    children = {_fork(settings, listener): time.monotonic() for _ in range(count)}
    print(f"CaseStudio is serving on http://{host}:{port} with {count} processes", flush=True)
    stopping = _stop_flag()
    try:
        while children:
            pid, status = os.wait()
            began = children.pop(pid, None)
            if began is None or stopping["now"]:
                continue
            log.error("serving process %s ended (status %s)", pid, status)
            if time.monotonic() - began >= MIN_LIFETIME_SECONDS:
                children[_fork(settings, listener)] = time.monotonic()
    except KeyboardInterrupt:
        pass
    finally:
        _stop_all(children)


def _stop_flag() -> dict[str, bool]:
    """SIGTERM in the parent behaves like Ctrl-C; the flag stops restarts meanwhile."""
    flag = {"now": False}

    def stop(*_: Any) -> None:
        flag["now"] = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return flag


def _stop_all(children: dict[int, float]) -> None:
    for pid in children:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while children and time.monotonic() < deadline:
        pid, _ = os.waitpid(-1, os.WNOHANG)
        if pid:
            children.pop(pid, None)
        else:
            time.sleep(0.05)
    for pid in children:
        _signal(pid, signal.SIGKILL)


def _signal(pid: int, which: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, which)


def _fork(settings: Settings, listener: socket.socket) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        _child(settings, listener)
    except BaseException:  # a child reports and exits, whatever happened
        log.exception("serving process %s failed", os.getpid())
        code = 1
    finally:
        os._exit(code)  # never return into the parent's code


def _child(settings: Settings, listener: socket.socket) -> None:
    """Build this process's app and serve the shared socket until SIGTERM."""
    from werkzeug.serving import make_server

    from runtime.app import create_app

    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    app = create_app(settings)
    host, port = listener.getsockname()[:2]
    server = make_server(host, port, app, threaded=True, fd=listener.fileno())
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["casestudio"].stop()
