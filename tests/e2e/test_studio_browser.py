"""End to end in Chromium: an analyst designs, checks, test-runs and deploys a case type in
the studio and a worker uses it; an imported demo bundle is changed and deployed as version 2
while running cases keep version 1."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.browser_support import api_token, eventually, log_in, screenshot
from tests.support import SEED, served_app, zip_folder

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("studio-e2e"), run_jobs=False) as (base, _app):
        yield base


def _api(base: str, user: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {api_token(base, user)}"
    return session


def _saved(page: Any) -> None:
    page.locator("#save-status[data-state=saved]").wait_for(timeout=10_000)


def _tab(page: Any, name: str) -> None:
    page.locator(".editor__tabs").get_by_role("link", name=name, exact=True).click()
    page.locator("#tab-title", has_text=name).wait_for()


def _open_group(panel: Any, name: str) -> None:
    """Open a properties-panel group (clicking an open one would close it)."""
    header = panel.locator(".bio-properties-panel-group-header", has_text=name).first
    if "open" not in (header.get_attribute("class") or "").split():
        header.click()


def test_analyst_builds_a_case_type_and_a_worker_uses_it(site: str, chromium: Any) -> None:
    page = log_in(chromium, site, "analyst")
    api = _api(site, "admin")
    _create_draft(page)
    _conflict_keeps_input(page, site, api)
    _stages_and_hooks(page)
    _summary_in_form_builder(page, site, api)
    _user_task_in_modeler(page)
    _validate_test_run_deploy(page)
    _worker_creates_a_case(chromium, site)


def _create_draft(page: Any) -> None:
    """New case type from the template; the numbering pattern has a live example."""
    page.get_by_role("link", name="Studio", exact=True).click()
    screenshot(page, "studio-home")
    page.locator("#new-type summary").click()
    page.get_by_label("Name").fill("Leave request")
    page.get_by_label("Key").fill("leave")
    page.get_by_label("Description").fill("Days off for staff")
    screenshot(page, "studio-new")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r".*/studio/leave/edit/general$"))

    # General: live example of the numbering pattern.
    page.get_by_label("Numbering pattern").fill("LV-{yyyy}-{seq:04}")
    page.locator("#numbering-example", has_text=re.compile(r"LV-\d{4}-0042")).wait_for()
    _saved(page)
    screenshot(page, "studio-editor-general")


def _conflict_keeps_input(page: Any, site: str, api: requests.Session) -> None:
    # Someone else saves meanwhile: typing gets a conflict notice, the input stays.
    current = api.get(f"{site}/api/v1/studio/drafts/leave").headers["ETag"]
    other = api.patch(f"{site}/api/v1/studio/drafts/leave", json={
        "manifest": {"description": "Changed by the admin"}}, headers={"If-Match": current})
    assert other.status_code == 200, other.text
    page.get_by_label("Name", exact=True).fill("Leave request (studio)")
    page.locator("#conflict-notice").wait_for()
    assert "admin" in page.locator("#conflict-notice").inner_text()
    assert page.get_by_label("Name", exact=True).input_value() == "Leave request (studio)"
    page.get_by_role("button", name="Save mine over theirs").click()
    _saved(page)
    draft = api.get(f"{site}/api/v1/studio/drafts/leave").json()
    assert "Leave request (studio)" in draft["files"]["case-type.yaml"]
    assert "Changed by the admin" in draft["files"]["case-type.yaml"]
    assert f"draft revision {draft['revision']} · saved by analyst" in page.locator(
        ".page-header__subtitle").inner_text()  # the header follows the saves


def _stages_and_hooks(page: Any) -> None:
    # Stages: add a stage and rename it.
    _tab(page, "Stages")
    page.get_by_role("button", name="Add stage").click()
    row = page.locator("[data-rows] [data-row]").nth(1)
    row.locator("[data-prop=key]").fill("review")
    row.locator("[data-prop=name]").fill("Review")
    row.locator("[data-prop=sla]").fill("P2D")
    _saved(page)
    screenshot(page, "studio-editor-stages")
    page.reload()
    assert page.locator("[data-rows] [data-row]").nth(1).locator(
        "[data-prop=name]").input_value() == "Review"

    # A wrong SLA is shown next to the field.
    page.locator("[data-rows] [data-row]").nth(1).locator("[data-prop=sla]").fill("two days")
    _saved(page)
    page.locator("[data-pointer='/stages/1/sla'] .field-problem").wait_for()
    page.locator("[data-rows] [data-row]").nth(1).locator("[data-prop=sla]").fill("P2D")
    _saved(page)
    page.locator("#problems .problems__ok").wait_for()

    # Hooks: completing the task moves the case to Review.
    _tab(page, "Hooks")
    page.get_by_role("button", name="Add hook").click()
    hook = page.locator("[data-rows] [data-row]").first
    hook.get_by_label("Task", exact=True).fill("Task_Work")
    hook.get_by_label("Set stage").select_option("review")
    _saved(page)
    page.reload()
    assert page.locator("[data-rows] [data-row]").first.get_by_label(
        "Set stage").input_value() == "review"


def _summary_in_form_builder(page: Any, site: str, api: requests.Session) -> None:
    # The data form, in the form builder: a required Summary, seen in the live preview.
    _tab(page, "Data form")
    builder = page.locator('[data-widget="form-builder"]').first
    builder.get_by_role("button", name="Add field").click()
    builder.get_by_label("Label", exact=True).fill("Summary")
    builder.get_by_label("Required", exact=True).check()
    builder.locator("[data-fb-preview] .cs-field", has_text="Summary").locator(
        ".cs-required").wait_for()
    _saved(page)
    screenshot(page, "studio-editor-data")
    schema = json.loads(api.get(f"{site}/api/v1/studio/drafts/leave").json()["files"][
        "forms/leave.schema.json"])
    assert schema["required"] == ["summary"] and schema["properties"]["summary"]["title"] == \
        "Summary"


def _user_task_in_modeler(page: Any) -> None:
    # The process, in the modeler: a user task "Approve" drawn after Work, its form key
    # set in the properties panel.
    _tab(page, "Process")
    modeler = page.locator('[data-widget="modeler"]')
    pad = modeler.locator(".djs-context-pad")
    modeler.locator('g.djs-shape[data-element-id="EndEvent_1"]').click()
    pad.locator('[data-action="delete"]').click()
    modeler.locator('g.djs-shape[data-element-id="Task_Work"]').click()
    pad.locator('[data-action="append.append-task"]').click()
    pad.locator('[data-action="replace"]').click()
    page.locator('.djs-popup [data-id="replace-with-user-task"]').click()
    panel = modeler.locator("[data-modeler-panel]")
    _open_group(panel, "General")
    panel.locator("#bio-properties-panel-name").fill("Approve")
    _open_group(panel, "Forms")
    panel.locator("#bio-properties-panel-formType").select_option("formKey")
    panel.locator("#bio-properties-panel-formKey").fill("form:work")
    xml = modeler.locator("[data-modeler-xml]")
    drawn = eventually(lambda: re.search(
        r'<bpmn:userTask id="(\w+)" name="Approve" camunda:formKey="form:work"',
        xml.input_value()))
    _saved(page)
    # The first click on the canvas after typing in the panel may only take the focus
    # from the panel's field (as in the Camunda Modeler); click until the task is selected.
    for _attempt in range(3):
        modeler.locator(f'g.djs-shape[data-element-id="{drawn.group(1)}"]').click()
        page.wait_for_timeout(300)
        if pad.locator('[data-action="append.end-event"]').is_visible():
            break
    pad.locator('[data-action="append.end-event"]').click()
    eventually(lambda: xml.input_value().count("<bpmn:endEvent") == 1)
    _saved(page)
    screenshot(page, "studio-editor-process")
    for name, shot in (("Files", "studio-editor-files"),
                       ("Permissions", "studio-editor-permissions"),
                       ("Hooks", "studio-editor-hooks")):
        _tab(page, name)
        screenshot(page, shot)


def _validate_test_run_deploy(page: Any) -> None:
    # Validate.
    page.locator(".studio-sections").get_by_role("link", name="Validate").click()
    page.locator("#validate-ok").wait_for()
    screenshot(page, "studio-validate")

    # Test run: start with sample data, complete the user task, see the end.
    page.locator(".studio-sections").get_by_role("link", name="Test run").click()
    page.get_by_label("Summary").fill("Two weeks in June")
    page.get_by_role("button", name="Start test run").click()
    page.get_by_role("button", name="Complete Work on the case").wait_for()
    assert "Open" in page.locator(".stepper__step--current").inner_text()
    screenshot(page, "studio-test-run")
    page.get_by_label("Outcome").fill("Looks fine")
    page.get_by_role("button", name="Complete Work on the case").click()
    page.get_by_role("button", name="Complete Approve").wait_for()  # the drawn task
    page.get_by_label("Outcome").fill("Approved")
    page.get_by_role("button", name="Complete Approve").click()
    page.get_by_text("process ended").wait_for()
    assert "Task_Work" in page.locator("#sim-path").inner_text()
    assert "review" in page.locator("#sim-stages").inner_text()

    # Deploy: everything is new.
    page.locator(".studio-sections").get_by_role("link", name="Deploy").click()
    page.get_by_text("Nothing deployed yet").wait_for()
    screenshot(page, "studio-deploy")
    page.get_by_role("button", name="Deploy as a new version").click()
    page.wait_for_url(re.compile(r".*/studio/leave/versions$"))
    page.locator("#versions-table [data-version='1']").wait_for()
    screenshot(page, "studio-versions")
    assert page.errors == []  # type: ignore[attr-defined]


def _worker_creates_a_case(chromium: Any, site: str) -> None:
    # A worker creates a case of the new type; Summary is required.
    worker = log_in(chromium, site, "worker")
    worker.goto("/cases/new/leave")
    worker.get_by_role("button", name="Create case").click()
    worker.locator("#f-summary__error").wait_for()
    worker.get_by_label("Summary").fill("Ten days in August")
    worker.get_by_role("button", name="Create case").click()
    worker.wait_for_url(re.compile(r".*/cases/[0-9a-f]{32}$"))
    assert re.search(r"LV-\d{4}-0001", worker.locator("main").inner_text())
    assert worker.errors == []  # type: ignore[attr-defined]


def test_imported_bundle_changed_and_deployed_keeps_running_cases(
        site: str, chromium: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "complaint.zip"
    bundle.write_bytes(zip_folder(SEED / "complaint"))
    page = log_in(chromium, site, "analyst")
    page.goto("/studio/import")
    page.set_input_files("#import-file", str(bundle))
    page.get_by_role("button", name="Check and compare").click()
    page.get_by_text("compared with nothing").wait_for()
    screenshot(page, "studio-import")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r".*/studio/complaint/edit/general$"))
    page.goto("/studio/complaint/deploy")
    page.get_by_role("button", name="Deploy as a new version").click()
    page.locator("#versions-table [data-version='1']").wait_for()

    worker = _api(site, "worker")
    sample = json.loads((SEED / "complaint" / "samples" / "valid.json").read_text())
    case = worker.post(f"{site}/api/v1/cases", json={"caseType": "complaint", "data": sample})
    assert case.status_code == 201, case.text

    # Change one field's label on the Files tab.
    page.goto("/studio/complaint/edit/files")
    area = page.locator('textarea[data-draft-file="forms/complaint.schema.json"]')
    schema = json.loads(area.input_value())
    field = next(iter(schema["properties"]))
    schema["properties"][field]["title"] = "Changed in the studio"
    area.fill(json.dumps(schema, indent=2))
    _saved(page)

    page.locator(".studio-sections").get_by_role("link", name="Deploy").click()
    page.locator(f"[data-diff] tr[data-field='/{field}']").wait_for()
    assert "Changed in the studio" in page.locator(f"tr[data-field='/{field}']").inner_text()
    assert "1 running case" in page.locator("#running-warning").inner_text()
    screenshot(page, "studio-deploy-diff")
    page.get_by_role("button", name="Deploy as a new version").click()
    page.locator("#cs-confirm-ok").click()
    page.locator("#versions-table [data-version='2']").wait_for()
    assert worker.get(f"{site}/api/v1/cases/{case.json()['id']}").json()["version"] == 1
    fresh = worker.post(f"{site}/api/v1/cases", json={"caseType": "complaint", "data": sample})
    assert fresh.json()["version"] == 2

    page.get_by_role("button", name="Show diff").click()
    page.locator(f"[data-diff] tr[data-field='/{field}']").wait_for()
    screenshot(page, "studio-versions-diff")
    assert page.errors == []  # type: ignore[attr-defined]
