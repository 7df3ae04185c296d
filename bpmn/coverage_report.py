"""``python -m bpmn.coverage_report [CORPUS_DIR] > docs/bpmn-coverage.md``

Why generated: the published coverage must be what the engine does today,
not what someone remembers. The report deploys every corpus file on a fresh
embedded engine (temporary SQLite) exactly as ``/engine-rest/deployment/create``
deploys it, drives each executable process (`bpmn.corpus`), and writes
Markdown: a summary, a table of elements and Camunda extensions (files using
each, deployed, run to the end, what CaseStudio does with it) and one row per
file, with every refusal's message and what Camunda-mode linting would say.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bpmn.corpus import CORPUS, Corpus, FileResult, corpus_files
from bpmn.coverage_features import features, support
from bpmn.embedded import EmbeddedEngine
from bpmn.lint import lint_bpmn

#: Lint findings that depend on a bundle (forms, topics), not on the document.
CONTEXT_CODES = frozenset({"form-key-unknown", "topic-unknown", "reference-unknown",
                           "call-activity-invalid"})


@contextmanager
def scratch_engine() -> Iterator[EmbeddedEngine]:
    """An embedded engine on a throw-away SQLite database."""
    from models import Base, Database

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/coverage.db")
        Base.metadata.create_all(db.engine)
        try:
            yield EmbeddedEngine(db)
        finally:
            db.dispose()


def cell(text: str, limit: int = 220) -> str:
    """Table-safe text: one line, pipes and tags escaped, long messages shortened."""
    flat = " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def lint_codes(data: bytes, mode: str) -> list[str]:
    return sorted({i.code for i in lint_bpmn(data, mode=mode)  # type: ignore[arg-type]
                   if i.severity == "error" and i.code not in CONTEXT_CODES})


def summary(results: list[FileResult]) -> list[str]:
    drives = [d for r in results for d in r.drives]
    ended = sum(d.outcome == "ended" for d in drives)
    accepted = sum(r.accepted for r in results)
    return ["## Summary", "",
            f"- BPMN files: {len(results)}; accepted by `/engine-rest/deployment/create`: "
            f"**{accepted}**, refused with a 400 naming the elements: {len(results) - accepted}",
            f"- executable processes in accepted files: {len(drives)}; driven to their end: "
            f"**{ended}**; stopped at a documented limitation: {len(drives) - ended}", ""]


def element_table(results: list[FileResult], files: dict[str, bytes]) -> list[str]:
    used: dict[str, set[str]] = {}
    for name, data in files.items():
        for feature in features(data):
            used.setdefault(feature, set()).add(name)
    by_name = {r.name: r for r in results}
    lines = ["## Elements and Camunda extensions", "",
             "| element / extension | files | deployed | all processes ended | CaseStudio |",
             "|---|---:|---:|---:|---|"]
    for feature in sorted(used, key=lambda f: (-len(used[f]), f)):
        names = used[feature]
        deployed = [n for n in names if by_name[n].accepted]
        ended = [n for n in deployed if all(d.outcome == "ended" for d in by_name[n].drives)]
        lines.append(f"| `{feature}` | {len(names)} | {len(deployed)} | {len(ended)} | "
                     f"{cell(support(feature))} |")
    return [*lines, ""]


def file_table(results: list[FileResult], files: dict[str, bytes]) -> list[str]:
    lines = ["## Files", "", "| # | file | deploy | processes |", "|---:|---|---|---|"]
    for number, result in enumerate(results, 1):
        if result.accepted:
            deploy = "accepted"
            drives = "<br>".join(f"`{d.key}`: " + ("ended" if d.outcome == "ended" else
                                                  f"limitation — {cell(d.detail, 160)}")
                                 for d in result.drives) or "no executable process"
        else:
            camunda = lint_codes(files[result.name], "camunda")
            message = result.message.removeprefix(f"{result.name}: ")
            deploy = (f"refused: {cell(message, 400)}<br>lint codes: "
                      f"{', '.join(lint_codes(files[result.name], 'strict')) or 'none'}; "
                      f"in Camunda mode: {', '.join(camunda) or 'clean'}")
            drives = "—"
        lines.append(f"| {number} | `{result.name}` | {deploy} | {drives} |")
    return [*lines, ""]


def refusal_causes(results: list[FileResult], files: dict[str, bytes]) -> list[str]:
    causes: Counter[str] = Counter()
    for result in results:
        if not result.accepted:
            causes.update(lint_codes(files[result.name], "strict") or ["engine parser"])
    lines = ["## Why files are refused", "", "| cause (lint code) | files |", "|---|---:|"]
    lines += [f"| `{cause}` | {count} |" for cause, count in causes.most_common()]
    return [*lines, "", "Files whose lint is clean in Camunda mode are refused only by policy "
            "(Java, scripts, DMN...) or by the engine's parser; the lint codes name the "
            "cause, the message names the elements.", ""]


def render(results: list[FileResult], files: dict[str, bytes], source: Path) -> str:
    head = ["# BPMN coverage of the CaseStudio engine", "",
            f"Generated by `python -m bpmn.coverage_report` from the {len(files)} BPMN files of "
            f"`{source.parent.name}/{source.name}` (Camunda 7 examples and engine tests). "
            "Each file is deployed as `/engine-rest/deployment/create` deploys it; each "
            "executable process is started and driven by `bpmn.corpus_drive` (user and "
            "external tasks completed, timers fired with a clock decades ahead, declared "
            "messages correlated and signals thrown, call activities followed).", ""]
    return "\n".join([*head, *summary(results), *element_table(results, files),
                      *refusal_causes(results, files), *file_table(results, files)])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else CORPUS
    paths = corpus_files(source)
    logging.disable(logging.WARNING)  # driven processes fail on purpose; the report says so
    with scratch_engine() as engine:
        results = Corpus(engine, paths).run()
    sys.stdout.write(render(results, {p.name: p.read_bytes() for p in paths}, source))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
