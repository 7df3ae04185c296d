"""N CaseStudio replicas as separate OS processes, for ``bench_runtime --servers N``.

DESIGN scales CaseStudio out as replicas behind a load balancer; one Python
process is bound by its GIL, so only separate processes show what several
cores give. Each replica is ``python -m benchmarks.runtime_server`` (threaded
werkzeug + ``QuietHandler``, same database and data folder). Order matters:

1. replica 0 runs ``make_app`` (migrations + demo users: once, nobody races it);
2. the bench bundle is deployed through replica 0;
3. only then do replicas 1..N-1 start, with replica 0's exact settings. Why
   after the deploy: other replicas learn of a deploy within about 2 s
   (`runtime.policy_sync`); starting them afterwards keeps that window out of
   the measurement.

The parent also builds an app in-process from the same settings, without
background work, for the untimed middle of ``step_cost``.
"""

from __future__ import annotations

import contextlib
import json
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from benchmarks.runtime_server import deploy
from runtime.app import create_app
from runtime.settings import Settings

REPO = Path(__file__).resolve().parent.parent
READY_SECONDS = 120.0
STOP_SECONDS = 20.0


def spawn(url: str, folder: Path, settings: dict[str, Any] | None) -> subprocess.Popen[str]:
    """Start one replica; followers get ``settings`` on stdin (and skip seeding)."""
    command = [sys.executable, "-m", "benchmarks.runtime_server", "--database", url,
               "--folder", str(folder), "--port", "0"]
    process = subprocess.Popen(command + ["--replica"] * (settings is not None), cwd=REPO,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if settings is not None:
        _stdin(process).write(json.dumps(settings) + "\n")
        _stdin(process).flush()
    return process


def ready(process: subprocess.Popen[str]) -> dict[str, Any]:
    """The replica's ``{"port", "settings"}`` line, once it listens (or why it never did)."""
    out = process.stdout
    assert out is not None
    if not select.select([out], [], [], READY_SECONDS)[0]:
        raise RuntimeError(f"replica {process.pid} not listening after {READY_SECONDS:.0f} s")
    line = out.readline()
    if not line:
        raise RuntimeError(f"replica {process.pid} exited with {process.wait()}")
    return dict(json.loads(line))


def stop(processes: list[subprocess.Popen[str]]) -> None:
    """Close every lifeline (graceful stop), then terminate/kill whoever lingers."""
    for process in processes:
        with contextlib.suppress(OSError):
            _stdin(process).close()
    for process in processes:
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def replicas(url: str, folder: Path, count: int) -> Iterator[tuple[list[str], Any]]:
    """``count`` replicas with the bench bundle deployed: (base URLs, in-process app)."""
    processes: list[subprocess.Popen[str]] = []
    app = None
    try:
        processes.append(spawn(url, folder, None))
        first = ready(processes[0])
        bases = [_base(first)]
        deploy(bases[0])
        processes += [spawn(url, folder, first["settings"]) for _ in range(count - 1)]
        bases += [_base(ready(process)) for process in processes[1:]]
        app = create_app(Settings(**first["settings"]), start_background=False)
        app.extensions["casestudio"].refresh_policy()  # start() would; no background here
        yield bases, app
    finally:
        if app is not None:
            app.extensions["casestudio"].stop()
        stop(processes)


def _base(line: dict[str, Any]) -> str:
    return f"http://127.0.0.1:{line['port']}"


def _stdin(process: subprocess.Popen[str]) -> IO[str]:
    assert process.stdin is not None
    return process.stdin
