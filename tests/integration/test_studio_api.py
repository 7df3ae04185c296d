"""The studio API end to end on SQLite and PostgreSQL: drafts, conflicts, checks, test runs,
deploys, versions, diff, roll back, import and export — without a browser."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from typing import Any

from connectors.identity import Principal
from runtime.studio.drafts import DraftConflict
from runtime.studio.wiring import studio_of
from tests.conftest import login
from tests.support import SEED, Api, zip_folder

BASE = "/api/v1/studio"


def _new(api: Api, key: str = "leave", name: str = "Leave request") -> Any:
    response = api.post(f"{BASE}/drafts", json={"key": key, "name": name,
                                                "description": "Days off"})
    assert response.status_code == 201, response.get_json()
    return response


def _save(api: Api, key: str, body: dict[str, Any], revision: Any) -> Any:
    return api.patch(f"{BASE}/drafts/{key}", json=body, headers={"If-Match": f'"{revision}"'})


def test_new_draft_validates_test_runs_and_deploys(as_analyst: Api, as_worker: Api) -> None:
    created = _new(as_analyst)
    assert created.headers["ETag"] == '"1"'
    draft = created.get_json()
    assert "case-type.yaml" in draft["files"] and "processes/leave.bpmn" in draft["files"]
    checked = as_analyst.post(f"{BASE}/drafts/leave/validate").get_json()
    assert checked == {"valid": True, "problems": [], "revision": 1}

    run = as_analyst.post(f"{BASE}/drafts/leave/simulate",
                          json={"data": {"description": "Holiday"}}).get_json()
    assert run["case"]["stage"] == "open" and run["case"]["title"] == "Holiday"
    assert [w["task"] for w in run["waiting"]] == ["Task_Work"]
    assert run["waiting"][0]["form"]["schema"]["properties"]["outcome"]
    done = as_analyst.post(f"{BASE}/drafts/leave/simulate/step", json={
        "run": run["run"], "task": "Task_Work", "data": {"outcome": "ok"}}).get_json()
    assert done["ended"] is True and done["waiting"] == []
    assert [p["activityId"] for p in done["path"]] == ["StartEvent_1", "Task_Work", "EndEvent_1"]

    diff = as_analyst.get(f"{BASE}/drafts/leave/diff").get_json()
    assert diff["running"]["total"] == 0 and diff["stages"][0]["change"] == "added"
    deployed = as_analyst.post(f"{BASE}/drafts/leave/deploy", headers={"If-Match": '"1"'})
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["version"] == 1
    case = as_worker.post("/api/v1/cases", json={"caseType": "leave",
                                                 "data": {"description": "Spring"}})
    assert case.status_code == 201, case.get_json()
    assert case.get_json()["number"].startswith("LEAVE-")
    assert as_analyst.get(f"{BASE}/drafts/leave/diff").get_json()["running"]["total"] == 1


def test_conflicting_saves_get_412_with_both_versions(client: Any, as_analyst: Api) -> None:
    _new(as_analyst)
    admin = login(client, "admin")
    first = _save(as_analyst, "leave", {"manifest": {"name": "Leave (analyst)"}}, 1)
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    assert "name: Leave (analyst)" in first.get_json()["files"]["case-type.yaml"]
    stale = _save(admin, "leave", {"manifest": {"name": "Leave (admin)"}}, 1)
    assert stale.status_code == 412
    body = stale.get_json()
    assert stale.mimetype == "application/problem+json"
    assert body["current"]["revision"] == 2 and body["current"]["updatedBy"] == "analyst"
    assert body["yours"] == {"manifest": {"name": "Leave (admin)"}}
    text = as_analyst.get(f"{BASE}/drafts/leave").get_json()["files"]["case-type.yaml"]
    assert "Leave (analyst)" in text


def test_bad_input_is_problem_json_with_paths(client: Any, as_analyst: Api,
                                              as_worker: Api) -> None:
    bad = as_analyst.post(f"{BASE}/drafts", json={"key": "Bad Key", "name": ""})
    assert bad.status_code == 422
    assert {e["path"] for e in bad.get_json()["errors"]} == {"/key", "/name"}
    _new(as_analyst)
    assert as_analyst.post(f"{BASE}/drafts", json={"key": "leave", "name": "x"}).status_code \
        == 409
    unsafe = _save(as_analyst, "leave", {"files": {"../evil": "x"}}, 1)
    assert unsafe.status_code == 422 and unsafe.get_json()["errors"][0]["path"] == "/files/..~1evil"
    wrong = as_analyst.post(f"{BASE}/drafts/leave/simulate", json={"data": {"description": 5}})
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["path"] == "/data/description"
    assert as_worker.get(f"{BASE}/drafts").status_code == 403
    assert client.get(f"{BASE}/drafts").status_code == 401


def test_validation_reports_field_paths_and_bpmn_elements(as_analyst: Api) -> None:
    files = _new(as_analyst).get_json()["files"]
    bpmn = files["processes/leave.bpmn"].replace("form:work", "form:missing")
    saved = _save(as_analyst, "leave", {"files": {"processes/leave.bpmn": bpmn},
                                        "manifest": {"stages": [{"key": "open", "name": "Open",
                                                                 "sla": "three days"}]}}, 1)
    assert saved.status_code == 200
    result = as_analyst.post(f"{BASE}/drafts/leave/validate").get_json()
    assert result["valid"] is False
    where = {(p["file"], p["path"]) for p in result["problems"]}
    assert ("case-type.yaml", "/stages/0/sla") in where
    fixed = _save(as_analyst, "leave", {"manifest": {"stages": [{"key": "open", "name": "Open",
                                                                 "sla": "P3D"}]}}, 2)
    assert fixed.status_code == 200
    result = as_analyst.post(f"{BASE}/drafts/leave/validate").get_json()
    assert ("processes/leave.bpmn", "#Task_Work") in {(p["file"], p["path"])
                                                      for p in result["problems"]}
    refused = as_analyst.post(f"{BASE}/drafts/leave/deploy")
    assert refused.status_code == 422


def test_import_diff_deploy_v2_keeps_running_cases_and_rolls_back(as_analyst: Api,
                                                                  as_worker: Api) -> None:
    original = zip_folder(SEED / "complaint")
    imported = as_analyst.client.post(f"{BASE}/import", data=original, headers={
        "Authorization": f"Bearer {as_analyst.token}", "Content-Type": "application/zip"})
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["key"] == "complaint" and imported.get_json()["against"] == "nothing"
    assert as_analyst.post(f"{BASE}/drafts/complaint/deploy").status_code == 201
    sample = json.loads((SEED / "complaint" / "samples" / "valid.json").read_text())
    first = as_worker.post("/api/v1/cases", json={"caseType": "complaint", "data": sample})
    assert first.status_code == 201, first.get_json()

    draft = as_analyst.get(f"{BASE}/drafts/complaint")
    files = draft.get_json()["files"]
    manifest = files["case-type.yaml"]
    schema_path = next(line.split(":", 1)[1].strip() for line in manifest.splitlines()
                       if line.startswith("schema:"))
    schema = json.loads(files[schema_path])
    field = next(iter(schema["properties"]))
    schema["properties"][field]["title"] = "Changed in the studio"
    changed = files | {schema_path: json.dumps(schema, indent=2)}
    preview = as_analyst.client.post(f"{BASE}/import?dryRun=true", data=_zip(changed), headers={
        "Authorization": f"Bearer {as_analyst.token}", "Content-Type": "application/zip"})
    body = preview.get_json()
    assert body["against"] == "draft"
    assert [(f["path"], f["facets"]) for f in body["diff"]["fields"]] == [
        (f"/{field}", ["title"])]
    assert as_analyst.get(f"{BASE}/drafts/complaint").headers["ETag"] == draft.headers["ETag"]
    saved = as_analyst.client.post(f"{BASE}/import", data=_zip(changed), headers={
        "Authorization": f"Bearer {as_analyst.token}", "Content-Type": "application/zip"})
    assert saved.status_code == 200

    diff = as_analyst.get(f"{BASE}/drafts/complaint/diff").get_json()
    assert diff["running"] == {"total": 1, "byVersion": {"1": 1}, "onLatest": 1}
    assert as_analyst.post(f"{BASE}/drafts/complaint/deploy").get_json()["version"] == 2
    assert as_worker.get(f"/api/v1/cases/{first.get_json()['id']}").get_json()["version"] == 1
    second = as_worker.post("/api/v1/cases", json={"caseType": "complaint", "data": sample})
    assert second.get_json()["version"] == 2

    history = as_analyst.get(f"{BASE}/case-types/complaint/versions").get_json()["items"]
    assert [(v["version"], v["createdBy"], v["runningCases"]) for v in history] == [
        (2, "analyst", 1), (1, "analyst", 1)]
    between = as_analyst.get(f"{BASE}/case-types/complaint/diff?from=1&to=2").get_json()
    assert between["fields"][0]["path"] == f"/{field}"
    rolled = as_analyst.post(f"{BASE}/case-types/complaint/rollback", json={"version": 1})
    assert rolled.status_code == 201 and rolled.get_json()["version"] == 3
    back = as_analyst.get(f"{BASE}/case-types/complaint/diff?from=1&to=3").get_json()
    assert back["fields"] == [] and back["files"]["changed"] == ["case-type.yaml"]

    exported = as_analyst.get(f"{BASE}/drafts/complaint/export")
    assert exported.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert "case-type.yaml" in names and schema_path in names


def test_from_version_and_delete(as_analyst: Api) -> None:
    _new(as_analyst)
    assert as_analyst.post(f"{BASE}/drafts/leave/deploy").status_code == 201
    _save(as_analyst, "leave", {"manifest": {"name": "Renamed"}}, 1)
    again = as_analyst.post(f"{BASE}/drafts", json={"key": "leave", "fromVersion": "latest"})
    assert again.status_code == 201 and again.headers["ETag"] == '"3"'
    assert "Renamed" not in again.get_json()["files"]["case-type.yaml"]
    listed = as_analyst.get(f"{BASE}/drafts").get_json()["items"]
    assert listed[0]["key"] == "leave" and listed[0]["latestVersion"] == 1
    stale = as_analyst.client.delete(f"{BASE}/drafts/leave", headers={
        "Authorization": f"Bearer {as_analyst.token}", "If-Match": '"1"'})
    assert stale.status_code == 412
    gone = as_analyst.client.delete(f"{BASE}/drafts/leave", headers={
        "Authorization": f"Bearer {as_analyst.token}"})
    assert gone.status_code == 204
    assert as_analyst.get(f"{BASE}/drafts/leave").status_code == 404


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_concurrent_saves_of_one_revision_let_exactly_one_win(app: Any, as_analyst: Api) -> None:
    _new(as_analyst)
    drafts = studio_of(app.extensions["casestudio"]).drafts
    analyst = Principal(id="analyst", roles=("analyst",))
    results: list[str] = []
    start = threading.Barrier(4)

    def save(name: str) -> None:
        start.wait()
        try:
            drafts.save(analyst, "leave", {"manifest": {"name": name}}, 1)
            results.append("saved")
        except DraftConflict:
            results.append("412")

    threads = [threading.Thread(target=save, args=(f"Name {i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["412", "412", "412", "saved"]
    assert drafts.get(analyst, "leave").revision == 2
