"""Two serving processes on one database: a deploy through one reaches the other's policy.

Why: replicas behind a load balancer each hold the case-type permissions in their
own policy engine; without :mod:`runtime.policy_sync` a case type deployed through
one replica stayed forbidden on the others until they restarted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from runtime.app import create_app
from tests.conftest import login, make_app
from tests.support import ROOT, zip_folder

PERMIT = ROOT / "tests" / "fixtures" / "bundles" / "permit"


def create_status(app: Any) -> int:
    """Status of a case creation with empty data: 403 forbidden, 422 allowed but invalid."""
    worker = login(app.test_client(), "worker")
    return int(worker.post("/api/v1/cases", {"caseType": "permit", "data": {}}).status_code)


def test_a_deploy_through_one_replica_is_allowed_on_the_other(database_url: str,
                                                                tmp_path: Path) -> None:
    first = make_app(database_url, tmp_path)
    second = create_app({"instance_path": str(tmp_path / "instance"),
                         "database_url": database_url, "storage_url": f"file://{tmp_path}/s",
                         "demo": True, "testing": True, "secret_key": "test-secret"})
    sync = second.extensions["casestudio"].policy_sync
    sync.loop.interval = 0.2
    try:
        assert create_status(second) == 404  # no such case type yet
        deployed = login(first.test_client(), "analyst").deploy(zip_folder(PERMIT))
        assert deployed.status_code == 201, deployed.get_json()
        assert create_status(first) == 422
        deadline = time.monotonic() + 10
        while create_status(second) != 422 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert create_status(second) == 422
        assert sync.reloads >= 1
        assert second.extensions["casestudio"].health()["components"]["policySync"][
            "status"] == "up"
    finally:
        second.extensions["casestudio"].stop()
        first.extensions["casestudio"].stop()
