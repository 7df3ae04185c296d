"""Studio widget endpoints over HTTP: preview, lint, demo page, the modeler bundle, access."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio.widgets.demo import SAMPLES
from tests.conftest import make_app
from tests.integration.portal_support import Browser, Portal, text

SCHEMA = json.dumps({"type": "object", "required": ["summary"],
                     "properties": {"summary": {"title": "Summary", "type": "string"}}})
DEMO_BPMN = (SAMPLES / "demo.bpmn").read_text()
HOSTILE = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;&xxe;
</bpmn:definitions>"""


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    tmp = tmp_path_factory.mktemp("widgets")
    app = make_app(f"sqlite:///{tmp}/widgets.db", tmp, run_workers=False, run_jobs=False)
    try:
        yield Portal(app)
    finally:
        app.extensions["casestudio"].stop()


@pytest.fixture(scope="module")
def analyst(portal: Portal) -> Browser:
    return portal.login("analyst")


def post_json(browser: Browser, url: str, body: Any, csrf: bool = True) -> Any:
    headers = {"X-CSRF-Token": browser.csrf} if csrf else {}
    return browser.client.post(url, data=json.dumps(body), content_type="application/json",
                               headers=headers)


def lint(browser: Browser, xml: str, **extra: Any) -> list[dict[str, Any]]:
    response = post_json(browser, "/studio/widgets/bpmn-lint", {"xml": xml, **extra})
    assert response.status_code == 200, text(response)
    return list(response.get_json())


def test_preview_round_trip_with_the_preview_fields(analyst: Browser) -> None:
    first = analyst.post("/studio/widgets/form-preview", {"schema": SCHEMA, "ui": "",
                                                         "prefix": "fbp1"})
    assert first.status_code == 200 and first.mimetype == "application/json"
    shown = first.get_json()
    assert 'for="fbp1-summary">Summary<span class="cs-required"' in shown["html"]
    assert shown["errors"] == [] and shown["schemaErrors"] == []
    empty = analyst.post("/studio/widgets/form-preview", {"schema": SCHEMA, "prefix": "fbp1",
                                                         "check": "1", "_seen": "fbp1"})
    assert [e["path"] for e in empty.get_json()["errors"]] == ["/summary"]
    assert "fbp1-summary__error" in empty.get_json()["html"]
    typed = analyst.post("/studio/widgets/form-preview", {
        "schema": SCHEMA, "prefix": "fbp1", "check": "1", "_seen": "fbp1",
        "fbp1/summary": "Printer on fire"}).get_json()
    assert typed["errors"] == [] and typed["data"] == {"summary": "Printer on fire"}


def test_preview_takes_a_json_body_with_data(analyst: Browser) -> None:
    response = post_json(analyst, "/studio/widgets/form-preview", {
        "schema": json.loads(SCHEMA), "ui": {"summary": {"ui:help": "Short"}},
        "data": {"summary": 5}, "check": True})
    body = response.get_json()
    assert response.status_code == 200 and [e["path"] for e in body["errors"]] == ["/summary"]
    assert "Short" in body["html"]


def test_a_broken_schema_is_answered_with_errors_never_a_500(analyst: Browser) -> None:
    for schema in ('{"type": "object", ', "[]", '{"type": 7}', '{"$ref": "#/nowhere"}',
                   '{"properties": {"a": {"pattern": "(["}}}'):
        response = analyst.post("/studio/widgets/form-preview", {"schema": schema, "check": "1"})
        assert response.status_code == 200, (schema, text(response))
        assert response.get_json()["schemaErrors"], schema
    bad_data = analyst.post("/studio/widgets/form-preview", {"schema": SCHEMA, "data": "{nope"})
    assert "not valid JSON" in bad_data.get_json()["errors"][0]["message"]


def test_malformed_requests_are_problem_json(analyst: Browser) -> None:
    response = analyst.post("/studio/widgets/form-preview", {"schema": SCHEMA,
                                                             "prefix": "../x"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == [{"path": "/prefix",
                                              "message": "must be letters and digits"}]
    missing = post_json(analyst, "/studio/widgets/bpmn-lint", {"xml": ""})
    assert missing.status_code == 400 and missing.get_json()["errors"][0]["path"] == "/xml"
    listless = post_json(analyst, "/studio/widgets/bpmn-lint", {"xml": "<x/>", "formKeys": "a"})
    assert listless.status_code == 400
    not_object = post_json(analyst, "/studio/widgets/form-preview", [1])
    assert not_object.status_code == 400


def test_lint_marks_an_unknown_form_key_and_a_missing_condition(analyst: Browser) -> None:
    xml = DEMO_BPMN.replace('camunda:candidateGroups="worker"',
                            'camunda:candidateGroups="worker" camunda:formKey="form:nope"')
    issues = lint(analyst, xml, formKeys=["form:review"])
    found = {(i["elementId"], i["code"], i["severity"]) for i in issues}
    assert ("Task_review", "form-key-unknown", "error") in found
    assert ("Flow_no", "gateway-condition-missing", "error") in found
    assert all(set(i) == {"elementId", "message", "severity", "code"} for i in issues)
    known = lint(analyst, xml.replace("form:nope", "form:review"), formKeys=["review"])
    assert [i["elementId"] for i in known] == ["Flow_no"]


def test_lint_reports_unknown_builtin_topics_as_deploy_does(analyst: Browser) -> None:
    xml = DEMO_BPMN.replace("case.set-status", "case.set-statuz")
    assert "Task_close" in {i["elementId"] for i in lint(analyst, xml)}


def test_lint_refuses_hostile_xml_without_resolving_entities(analyst: Browser) -> None:
    issues = lint(analyst, HOSTILE)
    assert len(issues) == 1 and issues[0]["elementId"] is None
    assert issues[0]["code"] == "xml-invalid" and "root:" not in issues[0]["message"]
    assert lint(analyst, "not xml at all")[0]["code"] == "xml-invalid"


def test_form_fields_work_for_lint_too(analyst: Browser) -> None:
    response = analyst.post("/studio/widgets/bpmn-lint", {"xml": DEMO_BPMN,
                                                          "formKeys": "review,decision"})
    assert [i["elementId"] for i in response.get_json()] == ["Flow_no"]


def test_demo_page_shows_both_widgets_with_their_draft_textareas(analyst: Browser) -> None:
    page = analyst.get("/studio/widgets/demo")
    assert page.status_code == 200
    html = text(page)
    for path in ("forms/request.schema.json", "forms/request.ui.json", "forms/review.schema.json",
                 "processes/request.bpmn"):
        assert f'data-draft-file="{path}"' in html
    assert html.count('data-widget="form-builder"') == 2 and 'data-widget="modeler"' in html
    assert '<option value="form:review">form:review</option>' in html
    assert '<option value="case.set-stage">case.set-stage</option>' in html
    assert "data-form-keys='[\"review\"]'" in html
    assert ' id="' not in html.split('<main id="main"', 1)[1].split("</main>")[0].replace(
        'id="demo-', "")  # no fixed ids inside the widgets


def test_only_analysts_use_the_widgets_and_posts_need_csrf(portal: Portal,
                                                           analyst: Browser) -> None:
    anonymous = portal.app.test_client().get("/studio/widgets/demo")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    worker = portal.login("worker")
    assert worker.get("/studio/widgets/demo").status_code == 403
    assert worker.post("/studio/widgets/form-preview", {"schema": SCHEMA}).status_code == 403
    assert analyst.post("/studio/widgets/form-preview", {"schema": SCHEMA},
                        csrf=False).status_code == 403
    assert post_json(analyst, "/studio/widgets/bpmn-lint", {"xml": DEMO_BPMN},
                     csrf=False).status_code == 403


def test_the_modeler_bundle_is_built_by_npm_and_served_from_the_whitelist(
        portal: Portal) -> None:
    root = Path(__file__).resolve().parents[2]
    package = json.loads((root / "package.json").read_text())
    assert "studio/assets/build.mjs" in package["scripts"]["prepare"]
    client = portal.app.test_client()
    script = client.get("/vendor/.casestudio/modeler.js")
    assert script.status_code == 200, "run `make install` (npm ci builds the modeler bundle)"
    assert b"CaseStudioModeler" in script.data
    assert client.get("/vendor/.casestudio/modeler.css").status_code == 200
    assert client.get("/vendor/.casestudio/package.json").status_code == 404
