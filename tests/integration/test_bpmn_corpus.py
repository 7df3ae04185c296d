"""The reference corpus through a live ``/engine-rest``: deploy every file, drive every process.

Every BPMN file of ``shared/reference/bpmn`` is posted to
``/engine-rest/deployment/create`` of a running CaseStudio: it is accepted, or
refused with a 400 whose message names the offending elements by id. The same
files then run through `bpmn.corpus` on that app's engine (one tenant per
file, deployed as the facade deploys: ``mode="camunda"``) — the driver behind
``docs/bpmn-coverage.md`` — which must agree with HTTP on what is accepted and
drive every accepted process to its end or to a stated limitation. Elements
the engine cannot run raise an incident naming them when reached; the driver
then stands in for them (as a worker on ``casestudio.unsupported`` would), and
those ends are counted apart. The floors are today's numbers (99 accepted,
70 ended as they are, 20 more with stand-ins).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bpmn.corpus import REST_DEPLOY, Corpus, FileResult, corpus_files
from bpmn.lint import lint_bpmn
from bpmn.spiff.lenient import UNSUPPORTED_TOPIC
from bpmn.xml import parse_xml
from tests.engine_rest_support import live_server, rest_app

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "bpmn"
FILES = corpus_files(CORPUS) if CORPUS.is_dir() else []
ACCEPTED_FLOOR = 97
#: Processes that end with no help (before Camunda mode: 67).
ENDED_FLOOR = 70
#: ... and those that end once the driver stood in for their unsupported elements.
ENDED_WITH_STAND_INS_FLOOR = 88
REPORT = Path(__file__).resolve().parents[2] / "docs" / "bpmn-coverage.md"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not FILES:
        pytest.skip(f"no BPMN corpus at {CORPUS}")
    folder = tmp_path_factory.mktemp("corpus")
    application = rest_app(f"sqlite:///{folder}/cs.db", folder, run_workers=False,
                           run_jobs=False)
    yield application
    application.extensions["casestudio"].stop()


@pytest.fixture(scope="module")
def answers(app: Any) -> dict[str, requests.Response]:
    """Each file's answer from ``POST /engine-rest/deployment/create`` (bearer token)."""
    with live_server(app) as url, requests.Session() as http:
        token = http.post(url.replace("/engine-rest", "/api/v1/auth/token"),
                          json={"username": "admin", "password": "demo"}, timeout=30)
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        return {path.name: http.post(f"{url}/deployment/create", timeout=60,
                                     data={"deployment-name": path.name,
                                           "deploy-changed-only": "true"},
                                     files={"data": (path.name, path.read_bytes())})
                for path in FILES}


@pytest.fixture(scope="module")
def driven(app: Any) -> list[FileResult]:
    return Corpus(app.extensions["casestudio"].engine, FILES, REST_DEPLOY, stand_in=True).run()


def element_ids(data: bytes) -> set[str]:
    return {e.get("id") or "" for e in parse_xml(data).iter() if e.get("id")}


def test_every_file_is_accepted_or_refused_naming_its_elements(
        answers: dict[str, requests.Response]) -> None:
    for path in FILES:
        answer, data = answers[path.name], path.read_bytes()
        assert answer.status_code in (200, 400), (path.name, answer.status_code, answer.text)
        if answer.status_code == 200:
            assert answer.json()["deployedProcessDefinitions"], path.name
            continue
        body = answer.json()
        assert body["type"] and body["message"], path.name
        must_name = {i.element_id for i in lint_bpmn(data, mode="camunda")
                     if i.severity == "error" and i.element_id}
        assert all(f"{i}" in body["message"] for i in must_name), (path.name, must_name, body)
        assert any(i in body["message"] for i in element_ids(data)), (path.name, body)
    accepted = sum(a.status_code == 200 for a in answers.values())
    assert accepted >= ACCEPTED_FLOOR


def test_the_driver_sees_what_http_sees_and_drives_every_process(
        answers: dict[str, requests.Response], driven: list[FileResult]) -> None:
    assert {r.name for r in driven if r.accepted} == {
        name for name, a in answers.items() if a.status_code == 200}
    drives = [d for r in driven for d in r.drives]
    assert all(r.drives for r in driven if r.accepted)
    assert all(d.outcome == "ended" or d.detail for d in drives)
    assert sum(d.outcome == "ended" and not d.stood_in for d in drives) >= ENDED_FLOOR
    assert sum(d.outcome == "ended" for d in drives) >= ENDED_WITH_STAND_INS_FLOOR
    assert all(d.detail.startswith("ended, standing in for") for d in drives
               if d.outcome == "ended" and d.stood_in)


def test_reaching_an_unsupported_element_raised_a_readable_incident(
        driven: list[FileResult]) -> None:
    """Each element the driver stood in for had first stopped its instance with an
    incident naming the element, what it is and why it cannot run."""
    pairs = [(element, message) for r in driven for d in r.drives
             for element, message in zip(d.stood_in, d.incidents, strict=True)]
    assert len({element for element, _ in pairs}) >= 20
    for element, message in pairs:
        assert f"'{element}'" in message and message.startswith("CaseStudio cannot run")
        assert UNSUPPORTED_TOPIC in message
    reasons = " ".join(message for _, message in pairs)
    assert all(why in reasons for why in ("is Java code", "DMN decision", "connector",
                                          "script tasks are not allowed"))


def test_the_published_report_covers_every_file() -> None:
    text = REPORT.read_text(encoding="utf-8")
    assert "## Elements and Camunda extensions" in text
    assert all(f"`{path.name}`" in text for path in FILES)
