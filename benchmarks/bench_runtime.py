"""Case runtime through its REST API: case starts/s, completion latency, step cost.

DESIGN §8 budgets: case start (create + process start + first task + event)
≥ 400/s on PostgreSQL at 16 clients on 2 cores; task completion p99 ≤ 20 ms at
32 clients; step 1,000 within 1.5x of step 1. Everything goes over real HTTP
to a threaded werkzeug server (`benchmarks.runtime_server`); clients are
threads with keep-alive sessions. Each run also measures the bare
SpiffWorkflow floor on the same BPMN (CamundaParser + BpmnWorkflowSerializer,
no database, no HTTP) so the figures can be read against it.

``--servers N`` (N > 1) runs the app as N replicas, separate processes on one
database and data folder (`benchmarks.runtime_replicas`), as DESIGN scales out
behind a load balancer: client i keeps its keep-alive session with replica
i % N. Step cost does not scale with replicas (one case, one client), so it
stays as with one server: its timed windows go over HTTP to replica 0, and
the untimed middle steps run in an app the benchmark process builds from
replica 0's settings (no background work), exactly as for N = 1.

    .venv/bin/python -m benchmarks.bench_runtime [--databases sqlite,postgresql]
        [--clients 1,4,16] [--cases 128] [--complete-clients 1,8,32] [--tasks 96]
        [--steps 1000] [--window 50] [--servers 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.bench_runtime_report import markdown
from benchmarks.runtime_replicas import replicas
from benchmarks.runtime_server import Client, serving
from benchmarks.spiff_floor import floor
from bpmn.engine import TaskQuery
from connectors.identity import Principal
from tests.support import postgres_database

T = TypeVar("T")


def in_parallel(clients: list[Client], work: Callable[[Client, int], list[T]]
                ) -> tuple[float, list[list[T]]]:
    """``work(client, i)`` in one thread per client, released together: (wall s, results)."""
    barrier = threading.Barrier(len(clients) + 1)
    results: list[list[T]] = [[] for _ in clients]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(clients[i], i)
        except Exception as exc:  # surfaced below: a benchmark must not hide failures
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    return wall, results


def timed(fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(wall: float, parts: list[list[float]]) -> dict[str, float]:
    ms = [x for part in parts for x in part]
    return {"per_s": len(ms) / wall, "p50": percentile(ms, 50), "p99": percentile(ms, 99),
            "n": len(ms)}


def spread(bases: list[str], count: int) -> list[Client]:
    """``count`` clients, round-robin over the servers, as a load balancer would."""
    return [Client(bases[i % len(bases)]) for i in range(count)]


def case_starts(bases: list[str], count: int, total: int) -> dict[str, float]:
    """``total`` case creations spread over ``count`` clients: rate and latency."""
    clients = spread(bases, count)
    per = max(total // count, 1)
    return summary(*in_parallel(clients, lambda c, i: [
        timed(lambda k=k: c.create_case(i * per + k)) for k in range(per)]))


def completions(bases: list[str], count: int, total: int) -> dict[str, float]:
    """Claim + complete of ``total`` open tasks by ``count`` clients: latency per task."""
    clients = spread(bases, count)
    per = max(total // count, 1)
    _, tasks = in_parallel(clients, lambda c, i: [
        c.open_task(c.create_case(n)["id"]) for n in range(per)])  # not timed
    return summary(*in_parallel(clients, lambda c, i: [
        timed(lambda t=t: c.claim_and_complete(t, again=False)) for t in tasks[i]]))


def step_cost(base: str, app: Any, steps: int, window: int) -> dict[str, float]:
    """One looping case: claim + complete over HTTP for the first and the last ``window``
    steps; the steps in between run in-process through the same task service (faster,
    same transactions and history) so that history reaches ``steps`` in seconds."""
    client = Client(base)
    case_id = client.create_case()["id"]
    first = [_http_step(client, case_id, n) for n in range(1, window + 1)]
    tasks, engine = app.extensions["casestudio"].tasks, app.extensions["casestudio"].engine
    worker = Principal(id="worker", roles=("worker",))
    for n in range(window + 1, steps - window + 1):
        [task] = engine.tasks(TaskQuery(business_key=case_id))
        tasks.complete(worker, task.id, {"again": True, "n": n})
    last = [_http_step(client, case_id, n) for n in range(steps - window + 1, steps + 1)]
    a, b = statistics.median(first), statistics.median(last)
    return {"first": a, "last": b, "ratio": b / a, "steps": steps}


def _http_step(client: Client, case_id: str, n: int) -> float:
    task_id = client.open_task(case_id)
    return timed(lambda: client.claim_and_complete(task_id, True, n))


def measure(bases: list[str], app: Any, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"starts": {}, "completions": {}}
    for count in args.clients:
        out["starts"][count] = case_starts(bases, count, args.cases)
        print(f"  starts, {count} clients: {out['starts'][count]['per_s']:.0f}/s", flush=True)
    for count in args.complete_clients:
        out["completions"][count] = completions(bases, count, args.tasks)
        print(f"  completions, {count} clients: p99 "
              f"{out['completions'][count]['p99']:.1f} ms", flush=True)
    out["steps"] = step_cost(bases[0], app, args.steps, args.window)
    print(f"  steps: x{out['steps']['ratio']:.2f}", flush=True)
    return out


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder}/bench.db"
    else:
        with postgres_database() as url:
            yield url


@contextmanager
def servers(url: str, folder: Path, count: int) -> Iterator[tuple[list[str], Any]]:
    """One in-process server (today's setup) or ``count`` replica processes."""
    if count == 1:
        with serving(url, folder) as (base, app):
            yield [base], app
    else:
        with replicas(url, folder, count) as (bases, app):
            yield bases, app


def arguments() -> argparse.Namespace:
    ints = lambda text: [int(x) for x in text.split(",")]  # noqa: E731
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql",
                        type=lambda text: text.split(","))
    parser.add_argument("--clients", default=[1, 4, 16], type=ints)
    parser.add_argument("--cases", default=128, type=int, help="case starts per client count")
    parser.add_argument("--complete-clients", default=[1, 8, 32], type=ints)
    parser.add_argument("--tasks", default=96, type=int, help="completions per client count")
    parser.add_argument("--steps", default=1000, type=int)
    parser.add_argument("--window", default=50, type=int)
    parser.add_argument("--servers", default=1, type=int,
                        help="serving processes (replicas); 1 = in-process server")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.servers < 1:
        parser.error("--servers must be at least 1")
    return args


def main() -> int:
    args = arguments()
    results: dict[str, Any] = {"cores": os.cpu_count(), "servers": args.servers,
                               "floor": floor(LOOP_SECONDS)}
    for kind in args.databases:
        print(f"{kind}:", flush=True)
        with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url, \
                servers(url, Path(folder), args.servers) as (bases, app):
            results[kind] = measure(bases, app, args)
    print(json.dumps(results, indent=1, default=str) if args.json else markdown(results, args))
    return 0


LOOP_SECONDS = 2.0

if __name__ == "__main__":
    sys.exit(main())
