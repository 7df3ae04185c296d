"""The reference BPMN corpus: deploy every file, drive every executable process.

Why a driver in the product and not only in a test: ``bpmn.coverage_report``
publishes what it finds (``docs/bpmn-coverage.md``) and the corpus test checks
the same thing through ``/engine-rest``. Each file gets a tenant of its own on
one engine, with the files that define the processes its call activities call
deployed alongside (the corpus ships such pairs as separate files), so
messages, signals, timers and incidents of one file never reach another.
Driving is `bpmn.corpus_drive.CorpusDriver`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpmn.corpus_drive import CorpusDriver, Drive
from bpmn.engine import Engine
from bpmn.engine_errors import EngineError
from bpmn.errors import XmlError
from bpmn.xml import BPMN_NS, parse_xml

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "bpmn"
SUFFIXES = (".bpmn", ".bpmn20.xml")


def corpus_files(folder: Path = CORPUS) -> list[Path]:
    """The BPMN files of the corpus (DMN, forms and notes are not BPMN)."""
    return sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIXES))


@dataclass
class FileResult:
    """Deployment outcome of one file and the drive of each of its processes."""

    name: str
    accepted: bool
    message: str = ""
    drives: list[Drive] = field(default_factory=list)


@dataclass
class Outline:
    """What a file defines and calls (process ids), read with the hardened parser."""

    defines: list[str]
    calls: list[str]

    @classmethod
    def of(cls, data: bytes) -> Outline:
        try:
            root = parse_xml(data)
        except XmlError:
            return cls([], [])
        defines = [p.get("id") or "" for p in root.iter(f"{{{BPMN_NS}}}process")]
        calls = [c.get("calledElement") or "" for c in root.iter(f"{{{BPMN_NS}}}callActivity")]
        return cls([d for d in defines if d], [c for c in calls if c and "$" not in c])


#: How ``/engine-rest/deployment/create`` deploys (see `bpmn.rest.deployment`).
REST_DEPLOY = {"mode": "camunda"}


class Corpus:
    """Deploys and drives corpus files on ``engine``.

    ``deploy_options`` go to ``Engine.deploy`` (default: as the REST facade
    deploys); ``stand_in``: the driver completes unsupported elements after
    their incident (see `bpmn.corpus_drive`).
    """

    def __init__(self, engine: Engine, files: list[Path],
                 deploy_options: Mapping[str, Any] | None = None, *,
                 stand_in: bool = False) -> None:
        self.engine = engine
        self.files = {p.name: p.read_bytes() for p in files}
        self.outlines = {name: Outline.of(data) for name, data in self.files.items()}
        self.options = dict(REST_DEPLOY if deploy_options is None else deploy_options)
        self.stand_in = stand_in

    def definers(self, name: str) -> list[str]:
        """Other files defining the processes ``name`` calls (transitively, callees first)."""
        wanted, out = list(self.outlines[name].calls), list[str]()
        while wanted:
            key = wanted.pop()
            for other, outline in self.outlines.items():
                if key in outline.defines and other != name and other not in out:
                    out.insert(0, other)
                    wanted += outline.calls
        return out

    def run(self) -> list[FileResult]:
        return [self.run_file(index, name) for index, name in enumerate(self.files)]

    def run_file(self, index: int, name: str) -> FileResult:
        tenant = f"corpus-{index:03d}"
        for dependency in self.definers(name):
            try:
                self.engine.deploy(dependency, {dependency: self.files[dependency]},
                                   tenant=tenant, **self.options)
            except EngineError:
                continue  # the callee's own file reports its refusal
        try:
            deployment = self.engine.deploy(name, {name: self.files[name]}, tenant=tenant,
                                            **self.options)
        except EngineError as exc:
            return FileResult(name, False, exc.message)
        driver = CorpusDriver(self.engine, tenant, stand_in=self.stand_in)
        own = set(self.outlines[name].defines)
        return FileResult(name, True, "", [driver.drive(d) for d in deployment.process_definitions
                                           if d.key in own])
