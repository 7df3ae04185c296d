"""Helpers for the `/engine-rest` tests: an app with the facade, a validating
Camunda client over Flask's test client, a live server, and BPMN samples.

Every response that goes through `CamundaClient` is checked against the schema
of its operation in Camunda's OpenAPI document (see `tests.camunda_openapi`),
so each facade test is also a contract test of the shapes it touches.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.camunda_openapi import validate
from tests.support import live_server as serve_app

ADMIN = ("admin", "demo")

ORDER_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="urn:test">
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:startEvent id="received" />
    <bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="review" />
    <bpmn:userTask id="review" name="Review order" camunda:candidateGroups="clerks"
        camunda:formKey="form:review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="charge" />
    <bpmn:serviceTask id="charge" name="Charge card" camunda:type="external"
        camunda:topic="payment" />
    <bpmn:sequenceFlow id="f3" sourceRef="charge" targetRef="shipped" />
    <bpmn:intermediateCatchEvent id="shipped" name="Shipped">
      <bpmn:messageEventDefinition messageRef="msgShipped" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="shipped" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
  <bpmn:message id="msgShipped" name="shipped" />
</bpmn:definitions>
"""

#: One external task, then the end: for fetch-and-lock and worker tests.
WORK_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs2" targetNamespace="urn:test">
  <bpmn:process id="work" name="Work" isExecutable="true">
    <bpmn:startEvent id="begin" />
    <bpmn:sequenceFlow id="w1" sourceRef="begin" targetRef="job" />
    <bpmn:serviceTask id="job" name="Do the job" camunda:type="external"
        camunda:topic="crunch" />
    <bpmn:sequenceFlow id="w2" sourceRef="job" targetRef="after" />
    <bpmn:userTask id="after" name="Look at result" />
    <bpmn:sequenceFlow id="w3" sourceRef="after" targetRef="finish" />
    <bpmn:endEvent id="finish" />
  </bpmn:process>
</bpmn:definitions>
"""


#: An external task whose BPMN error ``NO_STOCK`` a boundary event catches.
RISKY_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs4" targetNamespace="urn:test">
  <bpmn:process id="risky" isExecutable="true">
    <bpmn:startEvent id="begin" />
    <bpmn:sequenceFlow id="r1" sourceRef="begin" targetRef="try" />
    <bpmn:serviceTask id="try" camunda:type="external" camunda:topic="risky" />
    <bpmn:boundaryEvent id="caught" attachedToRef="try">
      <bpmn:errorEventDefinition errorRef="err" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="r2" sourceRef="try" targetRef="fine" />
    <bpmn:endEvent id="fine" />
    <bpmn:sequenceFlow id="r3" sourceRef="caught" targetRef="handle" />
    <bpmn:userTask id="handle" name="Handle the failure" />
    <bpmn:sequenceFlow id="r4" sourceRef="handle" targetRef="fixed" />
    <bpmn:endEvent id="fixed" />
  </bpmn:process>
  <bpmn:error id="err" errorCode="NO_STOCK" />
</bpmn:definitions>
"""


def rest_app(database_url: str, tmp_path: Path, config: dict[str, Any] | None = None,
             **overrides: Any) -> Any:
    """A CaseStudio app (demo users loaded) with `/engine-rest` mounted.

    ``config`` is Flask config applied before mounting (the facade's tunables).
    """
    import bpmn.rest
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, **overrides)
    app.config.update(config or {})
    bpmn.rest.init_app(app)
    bpmn.rest.configure(app)
    return app


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class CamundaClient:
    """Flask test client speaking to `/engine-rest`, validating every response."""

    def __init__(self, client: Any, auth: tuple[str, str] | None = ADMIN,
                 authorization: str | None = None) -> None:
        self.client = client
        self.authorization = authorization or (basic(*auth) if auth else None)
        self.responses = 0

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        if self.authorization:
            headers.setdefault("Authorization", self.authorization)
        url = "/engine-rest" + path
        response = self.client.open(url, method=method, headers=headers, **kw)
        validate(method, url, response.status_code, response.get_data(),
                 response.headers.get("Content-Type", ""))
        self.responses += 1
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def deploy(self, resources: dict[str, bytes], **fields: str) -> Any:
        import io

        data: dict[str, Any] = dict(fields)
        for index, (name, content) in enumerate(resources.items()):
            data[f"data{index}"] = (io.BytesIO(content), name)
        return self.request("POST", "/deployment/create", data=data,
                            content_type="multipart/form-data")

    def json_of(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        """The JSON body of a call that must answer ``status``."""
        response = self.request(method, path, **kw)
        assert response.status_code == status, (response.status_code, response.get_json())
        return response.get_json()


@contextmanager
def rest_client(database_url: str, tmp_path: Path, resources: dict[str, bytes] | None = None,
                **options: Any) -> Iterator[CamundaClient]:
    """A validating client of a fresh app, with ``resources`` deployed; stops the app."""
    app = rest_app(database_url, tmp_path, **options)
    try:
        client = CamundaClient(app.test_client())
        if resources:
            assert client.deploy(resources).status_code == 200
        yield client
    finally:
        app.extensions["casestudio"].stop()


def start(api: CamundaClient, key: str, **body: Any) -> dict[str, Any]:
    """Start the latest ``key`` (Camunda's start body) and return the instance DTO."""
    return api.json_of("POST", f"/process-definition/key/{key}/start",  # type: ignore
                       json=body)


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (random port) in a thread; yields the /engine-rest URL."""
    with serve_app(app) as base:
        yield f"{base}/engine-rest"
