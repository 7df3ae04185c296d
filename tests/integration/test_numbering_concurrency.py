"""Case numbers stay unique under concurrent creation (and gapless when every creation succeeds)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.conftest import login
from tests.integration.test_api_cases import PERMIT, VALID
from tests.support import zip_folder


def test_concurrent_creations_get_distinct_numbers(app: Any) -> None:
    client = app.test_client()
    assert login(client, "analyst").deploy(zip_folder(PERMIT)).status_code == 201
    token = login(client, "worker").token

    def create(_: int) -> str:
        response = app.test_client().post("/api/v1/cases", json={"caseType": "permit",
                                                                 "data": VALID},
                                          headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["number"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(create, range(24)))
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(1, 25))
