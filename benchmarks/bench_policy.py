"""Policy decision latency and throughput of the embedded engine (DESIGN §8: ≤ 0.3 ms).

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_policy [--decisions 5000] [--case-types 20]
        [--threads 4] [--json]

Reports the median and p99 of one ``allowed()`` call over a realistic mix,
throughput with several threads for the default evaluator pool against a pool
of one (one interpreter behind a lock), and cold/cached ``scope()`` times.
Exits 1 when the median decision exceeds the budget.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from policies import open_policy
from policies.embedded import EmbeddedPolicy

BUDGET_MS = 0.3

Decision = tuple[dict[str, Any], str, dict[str, Any]]


def policy_data(case_types: int) -> dict[str, Any]:
    """A tenant with ``case_types`` case types shaped like the demo's grant."""
    permissions = {"create": ["worker"], "read": ["worker", "manager"], "update": ["worker"],
                   "manage": ["analyst"]}
    return {"caseTypes": {"default": {f"type{i}": {"permissions": permissions}
                                      for i in range(case_types)}}}


def decision_mix() -> list[Decision]:
    """What an API request typically asks: case reads, task actions, admin pages, denials."""
    worker = {"id": "alice", "roles": ["worker", "reviewers"], "tenant": "default"}
    admin = {"id": "root", "roles": ["admin"], "tenant": "default"}
    case = {"kind": "case", "tenant": "default", "caseType": "type3", "queue": "standard"}
    task = {"kind": "task", "tenant": "default", "caseType": "type3", "assignee": None,
            "candidateUsers": ["bob"], "candidateGroups": ["reviewers"]}
    return [
        (worker, "case.read", case),
        (worker, "case.update", case),
        (worker, "task.claim", task),
        (worker, "task.complete", task),
        (worker, "case.manage", case),
        (admin, "admin.access", {"kind": "system", "tenant": "default"}),
        (worker, "case.read", {**case, "tenant": "other"}),
    ]


def latencies_ms(policy: EmbeddedPolicy, mix: list[Decision], count: int) -> list[float]:
    for subject, action, resource in mix * 20:  # warm the pool and the allocator
        policy.allowed(subject, action, resource)
    samples = []
    for i in range(count):
        subject, action, resource = mix[i % len(mix)]
        start = time.perf_counter_ns()
        policy.allowed(subject, action, resource)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def throughput(policy: EmbeddedPolicy, mix: list[Decision], threads: int, each: int) -> float:
    """Decisions per second with ``threads`` threads sharing ``policy``."""
    def work() -> None:
        for i in range(each):
            subject, action, resource = mix[i % len(mix)]
            policy.allowed(subject, action, resource)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return threads * each / (time.perf_counter() - start)


def timed_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - start) / 1e6


def run(args: argparse.Namespace) -> dict[str, Any]:
    data, mix = policy_data(args.case_types), decision_mix()
    policy = EmbeddedPolicy("embedded://", decision_cache=False)  # every decision evaluated
    policy.set_data(data)
    samples = sorted(latencies_ms(policy, mix, args.decisions))
    cached = open_policy("embedded://", data)  # as the server runs it
    assert isinstance(cached, EmbeddedPolicy)
    hits = sorted(latencies_ms(cached, mix, args.decisions))
    single = EmbeddedPolicy("embedded://", pool_size=1, decision_cache=False)
    single.set_data(data)
    each = max(args.decisions // args.threads, 100)
    subject = mix[0][0]
    return {
        "decisions": args.decisions, "case_types": args.case_types,
        "median_ms": round(statistics.median(samples), 4),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 4),
        "budget_ms": BUDGET_MS,
        "cached_median_ms": round(statistics.median(hits), 4),
        f"pooled_{args.threads}_threads_per_s": round(throughput(policy, mix, args.threads, each)),
        f"one_evaluator_{args.threads}_threads_per_s":
            round(throughput(single, mix, args.threads, each)),
        "scope_cold_ms": round(timed_ms(lambda: policy.scope(subject, "case.read")), 3),
        "scope_cached_ms": round(timed_ms(lambda: policy.scope(subject, "case.read")), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--case-types", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:32s} {value}")
    within = result["median_ms"] <= BUDGET_MS
    print(f"median decision {'within' if within else 'OVER'} budget of {BUDGET_MS} ms",
          file=sys.stderr)
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
