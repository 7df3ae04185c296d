"""`/engine-rest` authentication, authorization, mounting and Camunda error shapes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine_rest_support import ADMIN, CamundaClient, basic, rest_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    application = rest_app(f"sqlite:///{tmp_path}/cs.db", tmp_path)
    yield application
    application.extensions["casestudio"].stop()


def test_no_credentials_is_401_with_a_basic_challenge(app: Any) -> None:
    response = CamundaClient(app.test_client(), auth=None).get("/process-definition")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="engine-rest"'
    assert response.get_json()["type"] == "AuthenticationException"


@pytest.mark.parametrize("header", [basic("admin", "wrong"), basic("nobody", "demo"),
                                    "Basic %%%", "Bearer not-a-token"])
def test_bad_credentials_are_401_in_camunda_shape(app: Any, header: str) -> None:
    response = CamundaClient(app.test_client(), authorization=header).get("/task")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="engine-rest"'
    assert set(response.get_json()) == {"type", "message"}
    assert response.mimetype == "application/json"


def test_users_without_engine_or_admin_role_are_403(app: Any) -> None:
    for user in ("worker", "analyst", "manager"):
        response = CamundaClient(app.test_client(), auth=(user, "demo")).get("/task")
        assert response.status_code == 403, user
        assert response.get_json()["type"] == "AuthorizationException"


def test_engine_role_admin_basic_and_bearer_token_are_accepted(app: Any) -> None:
    client = app.test_client()
    assert CamundaClient(client).get("/process-definition").get_json() == []
    app.extensions["casestudio"].identity.add_user("svc", "s3cret!", ["engine"])
    assert CamundaClient(client, auth=("svc", "s3cret!")).get("/task/count").get_json() == {
        "count": 0}
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": "demo"}
                        ).get_json()["access_token"]
    bearer = CamundaClient(client, authorization=f"Bearer {token}")
    assert bearer.get("/deployment/count").get_json() == {"count": 0}


def test_the_browser_session_alone_does_not_open_the_engine(app: Any) -> None:
    """A session cookie could be sent cross-site; the facade wants explicit credentials."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["principal"] = {"id": "admin", "roles": ["admin", "engine"],
                                "tenant": "default", "name": "Alex Admin"}
    assert client.get("/api/v1/case-types").status_code == 200  # the session is valid
    response = CamundaClient(client, auth=None).post("/message", {"messageName": "x"})
    assert response.status_code == 401


def test_unknown_paths_are_404_in_camunda_shape_after_authentication(app: Any) -> None:
    anonymous = app.test_client().get("/engine-rest/no-such-thing")
    assert anonymous.status_code == 401
    response = app.test_client().get("/engine-rest/no-such-thing",
                                     headers={"Authorization": basic(*ADMIN)})
    assert response.status_code == 404
    assert response.get_json() == {"type": "NotFoundException",
                                   "message": "No resource at /engine-rest/no-such-thing"}


def test_malformed_json_bodies_are_400(app: Any) -> None:
    api = CamundaClient(app.test_client())
    response = api.request("POST", "/message", data=b"{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["type"] == "InvalidRequestException"
    response = api.post("/signal", ["a", "list"])
    assert response.status_code == 400


def test_init_app_is_idempotent(app: Any) -> None:
    import bpmn.rest

    rules = len(list(app.url_map.iter_rules()))
    bpmn.rest.init_app(app)
    assert len(list(app.url_map.iter_rules())) == rules
    assert CamundaClient(app.test_client()).get("/job/count").get_json() == {"count": 0}
