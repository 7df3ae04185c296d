"""The Camunda adapter's offline parts: URLs, error mapping, typed values, resources."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import pytest

from bpmn.camunda import CamundaEngine
from bpmn.camunda.connection import error_for, parse_url
from bpmn.camunda.repository import prepare_resource
from bpmn.camunda.values import format_date, parse_date, plain, typed
from bpmn.engine_errors import (
    BadUserRequest,
    EngineError,
    ExternalTaskLockedByOther,
    MismatchingMessageCorrelation,
    NotFound,
    OptimisticLocking,
    ProcessEngineError,
    TaskAlreadyClaimed,
)
from bpmn.factory import open_engine
from bpmn.xml import CAMUNDA_NS, OPERATON_NS


@pytest.mark.parametrize(("url", "base", "auth"), [
    ("camunda+http://demo:s%40cret@camunda:8080/engine-rest", "http://camunda:8080/engine-rest",
     ("demo", "s@cret")),
    ("camunda+https://ops.example.org/", "https://ops.example.org/engine-rest", None),
    ("camunda+http://u@[::1]:9000/rest/", "http://[::1]:9000/rest", ("u", "")),
])
def test_urls_become_a_base_url_and_basic_credentials(url: str, base: str,
                                                     auth: tuple[str, str] | None) -> None:
    target = parse_url(url)
    assert (target.base_url, target.auth) == (base, auth)


def test_other_schemes_are_refused_without_showing_the_password() -> None:
    with pytest.raises(ValueError, match="not a Camunda") as info:
        parse_url("http://demo:topsecret@camunda/engine-rest")
    assert "topsecret" not in str(info.value)


def test_the_factory_opens_the_adapter_and_logs_a_masked_url(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bpmn.camunda.engine"):
        engine = open_engine("camunda+https://demo:topsecret@camunda.example/engine-rest",
                             db=None)
    assert isinstance(engine, CamundaEngine)
    assert engine.rest.url == "https://camunda.example/engine-rest"
    assert "topsecret" not in caplog.text and "demo:***@" in caplog.text


@pytest.mark.parametrize(("status", "body", "expected"), [
    (404, {"type": "InvalidRequestException", "message": "No task"}, NotFound),
    (400, {"type": "RestException", "message": "org.camunda.bpm.engine.MismatchingMessage"
           "CorrelationException: Cannot correlate message 'm'"}, MismatchingMessageCorrelation),
    (400, {"type": "RestException", "message": "Cannot correlate message 'm': none"},
     MismatchingMessageCorrelation),
    (400, {"type": "InvalidRequestException", "message": "External Task 1 cannot be completed "
           "by worker 'w2'. It is locked by worker 'w1'."}, ExternalTaskLockedByOther),
    (400, {"type": "InvalidRequestException", "message": "bad"}, BadUserRequest),
    (500, {"type": "TaskAlreadyClaimedException", "message": "claimed"}, TaskAlreadyClaimed),
    (500, {"type": "OptimisticLockingException", "message": "later"}, OptimisticLocking),
    (500, {"type": "SuspendedEntityInteractionException", "message": "x"}, BadUserRequest),
    (500, {"type": "RestException", "message": "Cannot find task with id 7"}, NotFound),
    (500, {"type": "ProcessEngineException", "message": "boom"}, ProcessEngineError),
])
def test_camunda_error_bodies_map_to_engine_errors(status: int, body: dict[str, str],
                                                   expected: type[EngineError]) -> None:
    error = error_for(status, body)
    assert type(error) is expected
    assert error.message == body["message"]


def test_errors_without_a_json_body_keep_the_status() -> None:
    error = error_for(403, None)
    assert (error.status, error.message) == (403, "Camunda answered HTTP 403")


@pytest.mark.parametrize(("value", "kind"), [
    (None, "Null"), (True, "Boolean"), (7, "Integer"), (2**40, "Long"), (1.5, "Double"),
    ("x", "String"), ({"a": [1, 2]}, "Json"), ([1, "b"], "Json"),
    (datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "Date"),
])
def test_values_travel_typed_and_come_back_equal(value: object, kind: str) -> None:
    dto = typed(value)
    assert dto["type"] == kind
    assert plain(dto) == value


def test_camunda_json_objects_and_dates_are_decoded() -> None:
    obj = {"type": "Object", "value": '{"k": 1}',
           "valueInfo": {"serializationDataFormat": "application/json"}}
    assert plain(obj) == {"k": 1}
    assert plain({"type": "Integer", "value": None}) is None
    moment = parse_date("2030-01-02T03:04:05.000+0100")
    assert moment == datetime(2030, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert format_date(moment) == "2030-01-02T02:04:05.000+0000"
    assert parse_date("2030-01-02T03:04:05Z") == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def _process(namespace: str, prefix: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><definitions '
            f'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:{prefix}="{namespace}" '
            f'id="d" targetNamespace="t"><process id="p1" isExecutable="true"><userTask id="u" '
            f'{prefix}:assignee="ann"/></process><process id="p2" isExecutable="false"/>'
            f"</definitions>").encode()


def test_operaton_resources_are_sent_in_the_camunda_namespace() -> None:
    body, keys = prepare_resource("a.bpmn", _process(OPERATON_NS, "operaton"))
    assert keys == ["p1"]
    assert OPERATON_NS.encode() not in body and CAMUNDA_NS.encode() in body
    assert b'assignee="ann"' in body


def test_camunda_resources_and_other_files_travel_unchanged() -> None:
    original = _process(CAMUNDA_NS, "camunda")
    assert prepare_resource("a.bpmn20.xml", original) == (original, ["p1"])
    assert prepare_resource("form.json", b"{not xml") == (b"{not xml", [])
    with pytest.raises(BadUserRequest, match=r"bad\.bpmn"):
        prepare_resource("bad.bpmn", b"<definitions")


def test_an_unreachable_camunda_reports_down_and_raises_engine_errors() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = CamundaEngine(f"camunda+http://demo:topsecret@127.0.0.1:{port}/engine-rest",
                           timeout=2)
    status = engine.check()
    assert status["status"] == "down" and "topsecret" not in str(status)
    with pytest.raises(ProcessEngineError) as info:
        engine.definitions()
    assert info.value.status == 503 and "topsecret" not in info.value.message
