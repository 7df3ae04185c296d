"""``casestudio serve --processes 2``: two real processes answer on one port, stop together.

Why through the real command: forking, the shared socket and signal handling are
exactly what a unit test cannot see.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from runtime.serve_processes import MIN_LIFETIME_SECONDS
from tests.integration.test_realtime_scale import REDIS_URL, require_redis
from tests.support import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CASESTUDIO_INSTANCE_PATH": str(tmp_path / "instance"),
            "CASESTUDIO_DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
            "CASESTUDIO_STORAGE_URL": f"file://{tmp_path}/storage", **extra}


def cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "runtime.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


@contextmanager
def serving(tmp_path: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    env = environment(tmp_path, CASESTUDIO_SOCKETIO_QUEUE_URL=REDIS_URL)
    assert cli(env, "db", "upgrade").wait(60) == 0
    server = cli(env, "serve", "--port", str(port), "--processes", "2")
    try:
        yield server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)


def health_pids(port: int, tries: int = 60) -> set[int]:
    """The process ids that answered ``tries`` fresh connections to /health."""
    pids: set[int] = set()
    for _ in range(tries):
        with requests.Session() as fresh:
            answer = fresh.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert answer.status_code == 200, answer.text
        pids.add(int(answer.json()["pid"]))
    return pids


def wait_until_up(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read() if server.stdout else ""
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail("the server did not come up within 60 s")


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``casestudio serve --processes 2``, up and answering: (the parent, its port)."""
    require_redis()
    port = free_port()
    with serving(tmp_path, port) as server:
        wait_until_up(port, server)
        yield server, port


@pytest.mark.server
def test_two_processes_share_the_port_and_stop_together(
        two_processes: tuple[subprocess.Popen[str], int]) -> None:
    server, port = two_processes
    pids = health_pids(port)
    assert len(pids) == 2 and server.pid not in pids
    server.send_signal(signal.SIGTERM)
    assert server.wait(30) == 0
    for pid in pids:  # the children are gone too
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_several_processes_without_a_socketio_queue_are_refused(tmp_path: Path) -> None:
    server = cli(environment(tmp_path), "serve", "--port", str(free_port()), "--processes", "2")
    output, _ = server.communicate(timeout=60)
    assert server.returncode == 2
    assert "SOCKETIO_QUEUE_URL" in output


@pytest.mark.server
def test_a_serving_process_that_dies_is_replaced(
        two_processes: tuple[subprocess.Popen[str], int]) -> None:
    _, port = two_processes
    first = health_pids(port)
    time.sleep(MIN_LIFETIME_SECONDS + 0.5)  # younger children are not restarted
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    now = health_pids(port, tries=20)
    while (len(now) < 2 or victim in now) and time.monotonic() < deadline:
        time.sleep(0.5)
        now = health_pids(port, tries=20)
    assert len(now) == 2 and victim not in now and first - {victim} <= now
