"""Case numbers stay unique under concurrent creation (and gapless when every creation succeeds)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from models import Base, Database
from models.casetypes import CaseSequence
from runtime.sequences import next_value
from tests.conftest import login
from tests.integration.test_api_cases import PERMIT, VALID
from tests.support import postgres_database, zip_folder


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


def test_postgresql_numbers_carry_on_from_an_older_counter_row() -> None:
    """Numbers drawn before the switch to native sequences are never drawn again."""
    with postgres_database() as url:
        first, second = Database(url), Database(url)  # two processes, in effect
        try:
            Base.metadata.create_all(first.engine)
            with first.session() as s:
                s.add(CaseSequence(tenant="t", case_type="permit", value=41))
            with first.session() as s:
                drawn = [next_value(s, "t", "permit") for _ in range(2)]
            with second.session() as s:  # seeds nothing: the sequence is past the row
                drawn.append(next_value(s, "t", "permit"))
            with first.session() as s:
                drawn.append(next_value(s, "t", "other"))
            assert drawn == [42, 43, 44, 1]
        finally:
            first.dispose()
            second.dispose()
