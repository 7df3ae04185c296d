"""The markdown table of `benchmarks.bench_runtime` (figures next to budgets and floor)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Row = tuple[str, Callable[[dict[str, Any]], str], str]


def _rows(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    for n in args.clients:
        rows.append((f"case starts/s, {n} client{'s' * (n > 1)}",
                     lambda r, n=n: f"{r['starts'][n]['per_s']:.0f}",
                     "≥ 400 on PostgreSQL at 16" if n == 16 else ""))
        rows.append((f"case start p50 / p99 ms, {n} client{'s' * (n > 1)}",
                     lambda r, n=n: f"{r['starts'][n]['p50']:.1f} / {r['starts'][n]['p99']:.1f}",
                     ""))
    for n in args.complete_clients:
        rows.append((f"claim+complete p50 / p99 ms, {n} client{'s' * (n > 1)}",
                     lambda r, n=n: (f"{r['completions'][n]['p50']:.1f} / "
                                     f"{r['completions'][n]['p99']:.1f}"),
                     "p99 ≤ 20 at 32" if n == 32 else ""))
        rows.append((f"completions/s, {n} client{'s' * (n > 1)}",
                     lambda r, n=n: f"{r['completions'][n]['per_s']:.0f}", ""))
    w = args.window
    rows += [(f"step (claim+complete) median ms, steps 1–{w}",
              lambda r: f"{r['steps']['first']:.1f}", ""),
             (f"… steps {args.steps - w + 1}–{args.steps}",
              lambda r: f"{r['steps']['last']:.1f}", ""),
             ("… ratio last / first", lambda r: f"{r['steps']['ratio']:.2f}", "≤ 1.5")]
    return rows


def markdown(results: dict[str, Any], args: argparse.Namespace) -> str:
    """One column per database, then the budget; the SpiffWorkflow floor underneath."""
    dbs = [d for d in args.databases if d in results]
    n = results.get("servers", 1)
    lines = [f"{n} serving process{'es' * (n > 1)} ("
             + ("threaded werkzeug in the benchmark process" if n == 1 else
                "replicas: threaded werkzeug each, clients round-robin") + "), "
             f"{results['cores']} cores.", "",
             "| metric | " + " | ".join(dbs) + " | budget (DESIGN §8) |",
             "|---|" + "---:|" * len(dbs) + "---|"]
    for label, cell, budget in _rows(args):
        lines.append(f"| {label} | " + " | ".join(cell(results[d]) for d in dbs)
                     + f" | {budget} |")
    f = results["floor"]
    lines += ["", f"Bare SpiffWorkflow floor, same BPMN, same run, one thread "
              f"({results['cores']} cores): {f['starts_per_s']:.0f} start-to-first-wait + "
              f"serialize per second; one loop step (deserialize, complete, run, serialize) "
              f"{f['step_ms']:.2f} ms; waiting state {f['state_bytes']:.0f} bytes."]
    return "\n".join(lines)
