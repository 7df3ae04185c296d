"""Deploying, versioning and exporting bundles through the API."""

from __future__ import annotations

from typing import Any

from tests.support import ROOT, Api, zip_files, zip_folder

PERMIT = ROOT / "tests" / "fixtures" / "bundles" / "permit"


def versions(api: Api) -> list[int]:
    response = api.get("/api/v1/case-types/permit/versions")
    return [] if response.status_code == 404 else [v["version"] for v in
                                                   response.get_json()["items"]]


def test_deploy_is_idempotent_by_content_and_versions_change(as_analyst: Api) -> None:
    first = as_analyst.deploy(zip_folder(PERMIT))
    assert first.status_code == 201 and first.get_json()["version"] == 1
    again = as_analyst.deploy(zip_folder(PERMIT))
    assert again.status_code == 200 and again.get_json() == {**first.get_json(),
                                                             "created": False}
    changed = (PERMIT / "case-type.yaml").read_bytes().replace(b"Parking permit",
                                                               b"Resident parking permit")
    second = as_analyst.deploy(zip_folder(PERMIT, {"case-type.yaml": changed}))
    assert second.status_code == 201 and second.get_json()["version"] == 2
    latest = as_analyst.get("/api/v1/case-types/permit").get_json()
    assert latest["name"] == "Resident parking permit" and latest["version"] == 2
    assert latest["stages"][0] == {"key": "intake", "name": "Intake"}
    assert latest["schema"]["required"] == ["applicant", "plate"]
    old = as_analyst.get("/api/v1/case-types/permit?version=1").get_json()
    assert old["name"] == "Parking permit"


def test_export_round_trips(as_analyst: Api) -> None:
    as_analyst.deploy(zip_folder(PERMIT))
    exported = as_analyst.get("/api/v1/case-types/permit/bundle")
    assert exported.mimetype == "application/zip"
    assert "permit-v1.zip" in exported.headers["Content-Disposition"]
    redeployed = as_analyst.deploy(exported.data)
    assert redeployed.status_code == 200 and redeployed.get_json()["version"] == 1


def test_multipart_upload(as_analyst: Api) -> None:
    import io

    response = as_analyst.client.post(
        "/api/v1/bundles", data={"file": (io.BytesIO(zip_folder(PERMIT)), "permit.zip")},
        headers={"Authorization": f"Bearer {as_analyst.token}"},
        content_type="multipart/form-data")
    assert response.status_code == 201


def test_refused_bundles_leave_nothing_behind(as_analyst: Api) -> None:
    bad_hook = (PERMIT / "case-type.yaml").read_bytes().replace(b"stage: done",
                                                                b"stage: nowhere")
    response = as_analyst.deploy(zip_folder(PERMIT, {"case-type.yaml": bad_hook}))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"file": "case-type.yaml",
                                              "path": "/hooks/0/set/stage",
                                              "message": "unknown stage 'nowhere'"}]
    assert versions(as_analyst) == []
    assert as_analyst.get("/api/v1/case-types").get_json()["items"] == []


def test_permissions_and_garbage(as_worker: Api, as_analyst: Api) -> None:
    assert as_worker.deploy(zip_folder(PERMIT)).status_code == 403
    assert as_analyst.deploy(b"not a zip").status_code == 422
    assert as_analyst.deploy(b"").status_code == 400
    traversal = zip_files({"case-type.yaml": b"key: x", "../evil.txt": b"x"})
    assert as_analyst.deploy(traversal).get_json()["errors"][0]["message"].startswith(
        "unsafe path")


def test_oversized_bundle_is_413(client: Any, database_url: str, tmp_path: Any) -> None:
    from tests.conftest import login, make_app

    small = make_app(database_url, tmp_path / "small", max_bundle_bytes=1000)
    try:
        api = login(small.test_client(), "analyst")
        response = api.deploy(zip_folder(PERMIT))
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
    finally:
        small.extensions["casestudio"].stop()
