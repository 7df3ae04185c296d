"""End to end in Chromium: the studio's form builder and BPMN modeler on their demo page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser_support import eventually, log_in, screenshot
from tests.support import served_app

pytestmark = pytest.mark.e2e
#: Records which draft files fired `input` (the designer's autosave listens the same way).
WATCH_DRAFTS = """() => { window.draftInputs = [];
  document.addEventListener("input", e => {
    if (e.target.matches("[data-draft-file]")) {
      window.draftInputs.push(e.target.dataset.draftFile);
    }
  }); }"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("widgets-e2e"), run_workers=False,
                    run_jobs=False) as (url, _app):
        yield url


@pytest.fixture
def page(base: str, chromium: Any) -> Iterator[Any]:
    page = log_in(chromium, base, "analyst")
    page.goto("/studio/widgets/demo")
    page.evaluate(WATCH_DRAFTS)
    yield page
    page.context.close()


def _summary_field(builder: Any) -> Any:
    return builder.locator("[data-fb-preview] .cs-field", has_text="Summary")


def test_form_builder_adds_a_required_field_and_stays_in_sync_with_the_json(page: Any) -> None:
    builder = page.locator('[data-widget="form-builder"]').first
    preview = builder.locator("[data-fb-preview]")
    schema_text = builder.locator('[data-fb-text="schema"]')
    preview.get_by_label("Requester").wait_for()

    builder.get_by_role("button", name="Add field").click()
    builder.get_by_label("Label", exact=True).fill("Summary")
    builder.get_by_label("Required", exact=True).check()
    eventually(lambda: '"summary"' in schema_text.input_value())
    schema = json.loads(schema_text.input_value())
    assert schema["properties"]["summary"] == {"title": "Summary", "type": "string"}
    assert schema["required"] == ["requester", "summary"]
    assert "summary" in json.loads(builder.locator('[data-fb-text="ui"]').input_value())["ui:order"]
    drafts = page.evaluate("window.draftInputs")
    assert {"forms/request.schema.json", "forms/request.ui.json"} <= set(drafts)

    _summary_field(builder).locator(".cs-required").wait_for()
    page.locator("#demo-data-form").scroll_into_view_if_needed()
    screenshot(page, "widgets-form-builder")
    builder.get_by_role("button", name="Check sample data").click()
    error = _summary_field(builder).locator(".cs-error")
    error.wait_for()
    assert "required" in error.inner_text()
    _summary_field(builder).scroll_into_view_if_needed()
    screenshot(page, "widgets-form-preview")
    preview.get_by_label("Summary").fill("Printer on fire")
    error.wait_for(state="detached")
    assert page.evaluate("window.draftInputs").count("forms/request.schema.json") == len(
        [d for d in drafts if d == "forms/request.schema.json"])  # sample data is not the draft

    edited = schema_text.input_value().replace('"title": "Summary"', '"title": "Short summary"')
    schema_text.fill(edited)
    builder.locator(".fb-field__title", has_text="Short summary").wait_for()
    preview.get_by_label("Short summary").wait_for()

    broken = '{"type": "object", "properties": {'
    schema_text.fill(broken)
    problem = builder.locator('[data-fb-error="schema"]')
    problem.wait_for()
    assert "not valid JSON" in problem.inner_text()
    assert builder.locator("[data-fb-blocked]").is_visible()
    page.wait_for_timeout(600)  # a preview round trip later the text is still the analyst's
    assert schema_text.input_value() == broken
    other = page.locator('[data-widget="form-builder"]').nth(1)
    assert other.locator(".fb-field").count() == 2  # the task form's builder is unaffected
    schema_text.fill(edited)
    problem.wait_for(state="hidden")
    assert builder.locator(".fb-field").count() == 5
    assert page.errors == []  # type: ignore[attr-defined]


def test_modeler_edits_form_keys_and_conditions_and_shows_lint_on_elements(
        page: Any) -> None:
    modeler = page.locator('[data-widget="modeler"]')
    xml = modeler.locator("[data-modeler-xml]")
    flow_marker = modeler.locator('g.djs-connection.cs-lint-error[data-element-id="Flow_no"]')
    flow_marker.wait_for()
    modeler.locator(".djs-overlay .cs-lint-badge").first.wait_for()
    assert "without a condition" in modeler.locator("[data-modeler-issues]").inner_text()

    task = modeler.locator('g.djs-shape[data-element-id="Task_review"]')
    task.click()
    panel = modeler.locator("[data-modeler-panel]")
    panel.locator(".bio-properties-panel-group-header", has_text="Forms").click()
    panel.locator("#bio-properties-panel-formType").select_option("formKey")
    panel.locator("#bio-properties-panel-formKey").fill("form:nope")
    eventually(lambda: 'camunda:formKey="form:nope"' in xml.input_value())
    modeler.locator('g.djs-shape.cs-lint-error[data-element-id="Task_review"]').wait_for()
    assert "form key 'nope'" in modeler.locator("[data-modeler-issues]").inner_text()
    assert "processes/request.bpmn" in page.evaluate("window.draftInputs")

    modeler.locator('[data-modeler-pick="formKey"]').select_option("form:review")
    modeler.get_by_role("button", name="Set form key").click()
    eventually(lambda: 'camunda:formKey="form:review"' in xml.input_value())
    modeler.locator('g.djs-shape.cs-lint-error[data-element-id="Task_review"]').wait_for(
        state="detached")
    assert panel.locator("#bio-properties-panel-formKey").input_value() == "form:review"
    assert flow_marker.count() == 1  # the flow without a condition is still marked
    modeler.scroll_into_view_if_needed()
    screenshot(page, "widgets-modeler")

    # The topic picker follows the selection and writes Camunda's external-task attributes.
    modeler.locator('g.djs-shape[data-element-id="Task_close"]').click()
    topic = modeler.locator('[data-modeler-pick="topic"]')
    eventually(lambda: topic.input_value() == "case.set-status")
    topic.select_option("case.notify")
    modeler.get_by_role("button", name="Set topic").click()
    eventually(lambda: 'camunda:topic="case.notify"' in xml.input_value())
    assert 'camunda:type="external"' in xml.input_value()

    # The problem list selects the flow; its condition is written in the panel.
    modeler.locator("[data-modeler-issues]").get_by_role("button", name="no").click()
    panel.locator(".bio-properties-panel-group-header", has_text="Condition").click()
    panel.locator("#bio-properties-panel-conditionType").select_option("expression")
    panel.locator("#bio-properties-panel-conditionExpression").fill("${!approved}")
    eventually(lambda: "${!approved}</bpmn:conditionExpression>" in xml.input_value())
    flow_marker.wait_for(state="detached")
    modeler.locator("[data-modeler-lint-status]", has_text="no problems found").wait_for()
    assert page.errors == []  # type: ignore[attr-defined]
