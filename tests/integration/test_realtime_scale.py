"""Scale-out: two replicas sharing PostgreSQL and a Redis socket.io queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import login
from tests.integration.test_realtime_support import (
    build_app,
    create_case,
    listening,
    live_server,
    token_of,
)
from tests.support import postgres_database, require_server

REDIS_URL = "redis://127.0.0.1:6379/0"


def require_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        require_server(f"Redis on 127.0.0.1:6379 is not reachable: {exc}")


@pytest.mark.server
@pytest.mark.postgres
def test_an_event_committed_on_one_replica_reaches_a_client_of_another(
        tmp_path: Path) -> None:
    require_redis()
    with postgres_database() as database_url:
        a = build_app(database_url, tmp_path / "a", socketio_queue_url=REDIS_URL)
        b = build_app(database_url, tmp_path / "b", deploy=False, socketio_queue_url=REDIS_URL)
        b.extensions["casestudio"].relay.stop()  # only A relays: B can learn only via Redis
        try:
            case = create_case(login(a.test_client(), "worker"))
            room = f"case:{case['id']}"
            with live_server(b) as url_b, \
                    listening(url_b, auth={"token": token_of(b, "worker")}) as client:
                assert client.subscribe(room) == {"ok": True}
                assert login(a.test_client(), "manager").post(
                    f"/api/v1/cases/{case['id']}/comments", {"body": "from A"}
                ).status_code == 201
                client.wait_for(lambda c: "comment.added" in c.types(room))
            assert b.extensions["casestudio"].bus.published == 0
            assert [e["data"]["body"] for e in client.events if e["type"] == "comment.added"
                    ] == ["from A"]
        finally:
            a.extensions["casestudio"].stop()
            b.extensions["casestudio"].stop()
