"""Server time of the portal pages with 100,000 cases (SQLite and PostgreSQL).

DESIGN §8 / issue 5: no page over 300 ms with the demo data, and the case list
under 300 ms with 100,000 cases. The demo is loaded, then ``--cases`` rows are
bulk-inserted with one multi-row INSERT per 5,000 cases (plain SQL through
SQLAlchemy Core, no services: it measures reading, not writing). Each page is
requested ``--runs`` times in-process through Flask's test client after one
warm-up request; the time is the whole request inside the server (routing,
session, policy, SQL, templates), without network.

    .venv/bin/python benchmarks/bench_pages.py [--cases 100000] [--runs 30]
        [--no-postgres] [--json]

Exits 1 when a case-list page's p95 exceeds 300 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from models.cases import Case
from models.casetypes import CaseTypeVersion
from models.migrate import upgrade
from models.views import SavedView

BUDGET_MS = 300.0
CHUNK = 5000
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
WORDS = ("meter", "bill", "refund", "outage", "garden", "youth", "laptop", "contract",
         "invoice", "noise", "water", "payment", "delay", "address", "sensor")
LIST_PAGES = ("/cases", "/cases?stage=triage", "/cases?caseType=complaint&status=open",
              "/cases?assignee=me", "/cases?sort=number", "/cases?q=refund")


def _rows(n: int, versions: list[CaseTypeVersion], rng: random.Random) -> Iterator[list[dict]]:
    """Case rows in chunks, spread over 90 days, stages and queues of their type."""
    now = datetime.now(UTC)
    chunk: list[dict[str, Any]] = []
    for i in range(n):
        v = versions[i % len(versions)]
        d = v.definition
        words = " ".join(rng.sample(WORDS, 3))
        created = now - timedelta(seconds=rng.randint(0, 90 * 86400))
        stage = rng.choice(d["stages"])["key"]
        due = now + timedelta(hours=rng.randint(-48, 480))
        chunk.append({
            "id": uuid.uuid4().hex, "tenant": "default", "case_type": v.key,
            "version_id": v.id, "version": v.version, "number": f"BENCH-{v.key}-{i:07d}",
            "title": f"Bench case {i} {words}", "stage": stage,
            "status": "open" if rng.random() < 0.7 else "closed",
            "queue": rng.choice(d.get("queues") or [None]),
            "assignee": rng.choice((None, None, "worker", "manager")),
            "data": {"note": words}, "search_text": f"bench-{i} bench case {words}",
            "revision": 1, "stage_due": due, "sla_breached": due < now,
            "created_by": "bench", "created_at": created, "updated_at": created})
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_insert(services: Any, n: int) -> float:
    """Insert ``n`` cases with multi-row INSERTs; returns the seconds it took."""
    started = time.perf_counter()
    with services.db.session() as s:
        versions = list(s.scalars(select(CaseTypeVersion)))
    rng = random.Random(5)
    for chunk in _rows(n, versions, rng):
        with services.db.session() as s:
            s.execute(insert(Case), chunk)
    if services.db.dialect == "postgresql":
        with services.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE cases")
            conn.commit()
    else:
        with services.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def _login(app: Any, user: str) -> Any:
    client = app.test_client()
    services = app.extensions["casestudio"]
    principal = services.identity.authenticate(user, "demo")
    with client.session_transaction() as session:
        session["principal"] = {"id": principal.id, "roles": list(principal.roles),
                                "tenant": principal.tenant, "name": principal.display_name}
        session["csrf"] = "bench"
    return client


def measure(client: Any, url: str, runs: int) -> dict[str, float]:
    """p50/p95/max milliseconds of ``runs`` GETs after one warm-up."""
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1]}


def pages(app: Any, runs: int) -> dict[str, dict[str, float]]:
    worker = _login(app, "worker")
    services = app.extensions["casestudio"]
    with services.db.session() as s:
        demo = s.scalar(select(Case.id).where(Case.created_by != "bench").limit(1))
    first = worker.get("/cases").get_data(as_text=True)
    more = first.split("/cases/rows?cursor=", 1)[1:]  # "load more" (only with > 50 cases)
    urls = [*LIST_PAGES, *(f"/cases/rows?cursor={m.split(chr(34), 1)[0]}" for m in more),
            "/cases/board?caseType=complaint", "/dashboard", "/tasks?tab=groups",
            f"/cases/{demo}", "/notifications"]
    results = {url: measure(worker, url, runs) for url in urls}
    results["/admin/incidents (admin)"] = measure(_login(app, "admin"), "/admin/incidents", runs)
    return results


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/bench.db"
        return
    import psycopg

    name = "cs_bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(kind: str, cases: int, runs: int) -> dict[str, Any]:
    from runtime.app import create_app
    from seed.loader import load_demo

    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        upgrade(url)
        app = create_app({"database_url": url, "instance_path": f"{tmp}/instance",
                          "storage_url": f"file://{tmp}/storage", "demo": True,
                          "run_workers": False, "run_jobs": False, "log_level": "WARNING",
                          "secret_key": "bench"})
        services = app.extensions["casestudio"]
        try:
            SavedView.__table__.create(services.db.engine, checkfirst=True)
            load_demo(services, echo=lambda _m: None)
            demo = pages(app, runs)
            services.sla.stop()  # its sweep would write while the bulk insert holds the lock
            seconds = bulk_insert(services, cases)
            return {"database": kind, "cases": cases, "insert_s": round(seconds, 1),
                    "demo": demo, "bulk": pages(app, runs)}
        finally:
            services.stop()


def report(result: dict[str, Any]) -> list[str]:
    lines = [f"== {result['database']}: {result['cases']:,} cases bulk-inserted in "
             f"{result['insert_s']} s; server time in ms (p50 / p95 / max)"]
    for label in ("demo", "bulk"):
        lines.append(f"   {'demo data' if label == 'demo' else 'with the bulk cases'}:")
        for url, t in result[label].items():
            shown = url if "cursor=" not in url else "/cases/rows?cursor=… (load more)"
            lines.append(f"   {shown:48s} {t['p50']:7.1f} {t['p95']:7.1f} {t['max']:7.1f}")
    return lines


def over_budget(result: dict[str, Any]) -> list[str]:
    bad = [f"{result['database']} demo {u}" for u, t in result["demo"].items()
           if t["p95"] > BUDGET_MS]
    return bad + [f"{result['database']} bulk {u}" for u, t in result["bulk"].items()
                  if (u.startswith("/cases?") or u in ("/cases",) or "/rows" in u)
                  and t["p95"] > BUDGET_MS]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    results = [run(kind, args.cases, args.runs) for kind in kinds]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            print("\n".join(report(result)))
    failures = [f for r in results for f in over_budget(r)]
    for failure in failures:
        print(f"OVER BUDGET ({BUDGET_MS:.0f} ms p95): {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
