"""``python -m bpmn.coverage_report [CORPUS_DIR] > docs/bpmn-coverage.md``

Why generated: the published coverage must be what the engine does today,
not what someone remembers. The report deploys every corpus file on a fresh
embedded engine (temporary SQLite) exactly as ``/engine-rest/deployment/create``
deploys it, drives each executable process (`bpmn.corpus`), and writes
Markdown: a summary, a table of elements and Camunda extensions (files using
each, deployed, run to the end, what CaseStudio does with it), the elements
that deploy but raise an incident when reached (with the reason), and one row
per file, with every refusal's message or where each process stopped. The
driver stands in for unsupported elements after their incident, so the rest
of such processes is exercised too (counted apart).
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bpmn.corpus import CORPUS, REST_DEPLOY, Corpus, FileResult, corpus_files
from bpmn.corpus_drive import Drive
from bpmn.coverage_features import features, support
from bpmn.embedded import EmbeddedEngine
from bpmn.embedded.compiler import compile_bpmn
from bpmn.engine_errors import EngineError
from bpmn.lint import lint_bpmn
from bpmn.spiff.lenient import UNSUPPORTED_TOPIC

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


_GENERATED_ID = re.compile(r"(:\d+:)[0-9a-f]{32}")


def cell(text: str, limit: int = 220) -> str:
    """Table-safe text: one line, pipes and tags escaped, long messages shortened,
    generated definition ids elided (so the report only changes when results do)."""
    flat = _GENERATED_ID.sub(r"\1…", " ".join(text.split()))
    flat = flat.replace("|", "\\|").replace("<", "&lt;")
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def lint_codes(data: bytes, mode: str) -> list[str]:
    return sorted({i.code for i in lint_bpmn(data, mode=mode)  # type: ignore[arg-type]
                   if i.severity == "error" and i.code not in CONTEXT_CODES})


def summary(results: list[FileResult]) -> list[str]:
    drives = [d for r in results for d in r.drives]
    ended = sum(d.outcome == "ended" and not d.stood_in for d in drives)
    helped = sum(d.outcome == "ended" and bool(d.stood_in) for d in drives)
    accepted = sum(r.accepted for r in results)
    return ["## Summary", "",
            f"- BPMN files: {len(results)}; accepted by `/engine-rest/deployment/create`: "
            f"**{accepted}**, refused with a 400 naming the elements: {len(results) - accepted}",
            f"- executable processes in accepted files: {len(drives)}; driven to their end "
            f"as they are: **{ended}**; to their end once a worker on `{UNSUPPORTED_TOPIC}` "
            f"stood in for the elements the engine cannot run (each first raised an incident "
            f"naming it): **{helped}**; stopped at a documented limitation: "
            f"{len(drives) - ended - helped}", ""]


def element_table(results: list[FileResult], files: dict[str, bytes]) -> list[str]:
    used: dict[str, set[str]] = {}
    for name, data in files.items():
        for feature in features(data):
            used.setdefault(feature, set()).add(name)
    by_name = {r.name: r for r in results}
    lines = ["## Elements and Camunda extensions", "",
             "| element / extension | files | deployed | all processes ended (stand-ins allowed) "
             "| CaseStudio /engine-rest |",
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
            drives = "<br>".join(f"`{d.key}`: " + _drive_cell(d)
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


def _drive_cell(drive: Drive) -> str:
    if drive.outcome == "ended":
        return cell(drive.detail, 200) if drive.stood_in else "ended"
    return f"limitation — {cell(drive.detail, 200)}"


def unsupported_table(files: dict[str, bytes]) -> list[str]:
    """Per file, the elements that deploy but raise an incident when reached, and why."""
    lines = ["## Elements that raise an incident when reached", "",
             "Deployed through `/engine-rest` (Camunda mode), these become external tasks on "
             f"the reserved topic `{UNSUPPORTED_TOPIC}`: an instance reaching one waits with a "
             "`failedExternalTask` incident whose message names the element and the reason. "
             "Resolving the incident lets a worker on that topic stand in for the missing "
             "code. A bundle deploy refuses them.", "",
             "| file | element: reason |", "|---|---|"]
    for name, data in files.items():
        found = unsupported_elements(name, data)
        if found:
            reasons = "<br>".join(f"`{k}`: {cell(v, 160)}" for k, v in found.items())
            lines.append(f"| `{name}` | {reasons} |")
    return [*lines, ""]


def unsupported_elements(name: str, data: bytes) -> dict[str, str]:
    try:
        compiled = compile_bpmn(name, data)
    except EngineError:
        return {}
    return {k: v for item in compiled.values() for k, v in item.unsupported.items()}


def refusal_causes(results: list[FileResult], files: dict[str, bytes]) -> list[str]:
    causes: Counter[str] = Counter()
    for result in results:
        if not result.accepted:
            causes.update(lint_codes(files[result.name], "camunda") or ["engine parser"])
    lines = ["## Why files are refused", ""]
    if not causes:
        return [*lines, "No file of the corpus is refused by `/engine-rest/deployment/create`. "
                "It still answers 400 for malformed or hostile XML, documents without an "
                "executable process, duplicate or dangling ids, external tasks without a "
                "topic and elements Camunda 7 does not implement either (complex gateways, "
                "ad-hoc sub-processes).", ""]
    lines += ["| cause (lint code) | files |", "|---|---:|"]
    lines += [f"| `{cause}` | {count} |" for cause, count in causes.most_common()]
    return [*lines, ""]


def limitations(results: list[FileResult]) -> list[str]:
    """Every process that does not reach its end, and why (the driver's finding)."""
    lines = ["## Processes that stop before their end", "",
             "Each is a limitation of the engine or of the unattended driver, named by the "
             "engine's own message: JUEL method calls on Java objects (`prop()`, "
             "`findRequester()`) that the sandboxed evaluator does not have; gateways whose "
             "conditions no guessed variable satisfies (the driver supplies `1`, a date or "
             "`demo` for variables a process expects); collections a Java or JavaScript step "
             "would have filled; callees that are not part of the corpus (`FailingProcess`, "
             "`${calledProcessVar}`); a conditional event reading a variable no one set.", "",
             "| file | process | why |", "|---|---|---|"]
    for result in results:
        for drive in result.drives:
            if drive.outcome != "ended":
                lines.append(f"| `{result.name}` | `{drive.key}` | {cell(drive.detail, 300)} |")
    return [*lines, ""]


def render(results: list[FileResult], files: dict[str, bytes], source: Path) -> str:
    head = ["# BPMN coverage of the CaseStudio engine", "",
            f"Generated by `python -m bpmn.coverage_report` from the {len(files)} BPMN files of "
            f"`{source.parent.name}/{source.name}` (Camunda 7 examples and engine tests). "
            "Each file is deployed as `/engine-rest/deployment/create` deploys it; each "
            "executable process is started and driven by `bpmn.corpus_drive` (user and "
            "external tasks completed, timers fired with a clock decades ahead, declared "
            "messages correlated and signals thrown, call activities followed).", ""]
    return "\n".join([*head, *summary(results), *element_table(results, files),
                      *unsupported_table(files), *refusal_causes(results, files),
                      *limitations(results), *file_table(results, files)])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else CORPUS
    paths = corpus_files(source)
    logging.disable(logging.WARNING)  # driven processes fail on purpose; the report says so
    with scratch_engine() as engine:
        results = Corpus(engine, paths, REST_DEPLOY, stand_in=True).run()
    sys.stdout.write(render(results, {p.name: p.read_bytes() for p in paths}, source))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
