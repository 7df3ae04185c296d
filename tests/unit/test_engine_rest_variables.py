"""Camunda typed variables and query parameters of the `/engine-rest` facade (no app)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask

from bpmn.engine_errors import BadUserRequest
from bpmn.rest.params import Params, Sort, format_date, like_match, listing, parse_date
from bpmn.rest.variables import from_dto, to_dto, variables_in, variables_out


@pytest.mark.parametrize(("dto", "expected"), [
    ({"value": "x", "type": "String"}, "x"),
    ({"value": 7, "type": "Integer"}, 7),
    ({"value": "7", "type": "integer"}, 7),
    ({"value": 2**40, "type": "Long"}, 2**40),
    ({"value": 12, "type": "Short"}, 12),
    ({"value": 1.5, "type": "Double"}, 1.5),
    ({"value": "2.5", "type": "Double"}, 2.5),
    ({"value": True, "type": "Boolean"}, True),
    ({"value": "false", "type": "Boolean"}, False),
    ({"value": '{"a": [1, 2]}', "type": "Json"}, {"a": [1, 2]}),
    ({"value": '[1]', "type": "Object",
      "valueInfo": {"serializationDataFormat": "application/json",
                    "objectTypeName": "java.util.ArrayList"}}, [1]),
    ({"value": None, "type": "Null"}, None),
    ({"value": None, "type": "Integer"}, None),
    ({"value": {"nested": True}}, {"nested": True}),
    ({"value": 3, "type": None, "valueInfo": None}, 3),
])
def test_typed_values_convert_to_plain_python(dto: dict, expected: object) -> None:
    assert from_dto("v", dto) == expected


def test_camunda_dates_become_aware_datetimes() -> None:
    value = from_dto("due", {"value": "2026-01-31T10:00:00.000+0200", "type": "Date"})
    assert value == datetime(2026, 1, 31, 8, 0, tzinfo=UTC)
    assert format_date(value) == "2026-01-31T08:00:00.000+0000"
    assert to_dto(value) == {"value": "2026-01-31T08:00:00.000+0000", "type": "Date",
                             "valueInfo": {}}


@pytest.mark.parametrize(("dto", "problem"), [
    ({"value": "abc", "type": "Integer"}, "cannot convert"),
    ({"value": 2**31, "type": "Integer"}, "cannot convert"),
    ({"value": 1.5, "type": "Long"}, "cannot convert"),
    ({"value": True, "type": "Integer"}, "cannot convert"),
    ({"value": "yes", "type": "Boolean"}, "cannot convert"),
    ({"value": "31.01.2026", "type": "Date"}, "cannot convert"),
    ({"value": "{broken", "type": "Json"}, "cannot convert"),
    ({"value": {"a": 1}, "type": "String"}, "cannot convert"),
    ({"value": "rO0AB", "type": "Object",
      "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"}},
     "not supported"),
    ({"value": "x", "type": "Bytes"}, "unsupported value type 'Bytes'"),
    ({"value": "x", "type": "Spaceship"}, "unsupported value type"),
    ("plain", "must be an object"),
])
def test_values_that_do_not_convert_are_refused_naming_the_variable(dto: object,
                                                                   problem: str) -> None:
    with pytest.raises(BadUserRequest) as caught:
        from_dto("amount", dto)
    assert caught.value.status == 400
    assert "amount" in caught.value.message or "data format" in caught.value.message
    assert problem in caught.value.message


def test_variable_maps_accept_null_and_refuse_non_objects() -> None:
    assert variables_in(None) == {}
    assert variables_in({"a": {"value": 1}}) == {"a": 1}
    with pytest.raises(BadUserRequest, match="'variables' must be an object"):
        variables_in([1, 2])


def test_plain_values_are_reported_with_camunda_types() -> None:
    out = variables_out({"s": "x", "i": 1, "l": 2**40, "d": 0.5, "b": False, "n": None,
                         "j": {"k": [1]}}, names=["s", "i", "l", "d", "b", "n", "j"])
    assert {k: v["type"] for k, v in out.items()} == {
        "s": "String", "i": "Integer", "l": "Long", "d": "Double", "b": "Boolean",
        "n": "Null", "j": "Json"}
    assert json.loads(out["j"]["value"]) == {"k": [1]}
    assert variables_out({"a": 1, "b": 2}, names=["b"]) == {"b": to_dto(2)}


def test_stored_date_text_regains_its_date_type() -> None:
    stored = "2026-01-31T10:00:00+00:00"
    assert to_dto(stored)["type"] == "String"
    assert to_dto(stored, "Date") == {"value": "2026-01-31T10:00:00.000+0000", "type": "Date",
                                      "valueInfo": {}}


def test_dates_accept_camunda_iso_and_unencoded_plus() -> None:
    expected = datetime(2026, 1, 31, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert parse_date("2026-01-31T10:00:00.000+0200") == expected
    assert parse_date("2026-01-31T10:00:00.000 0200") == expected
    assert parse_date("2026-01-31T10:00:00+02:00") == expected
    assert parse_date("2026-01-31T10:00:00").tzinfo is UTC
    with pytest.raises(BadUserRequest, match="dueBefore"):
        parse_date("tomorrow", "dueBefore")


def _query(**args: str) -> Params:
    app = Flask(__name__)
    with app.test_request_context(query_string=args):
        return Params.query()


def test_query_parameters_are_typed_and_bad_values_name_the_parameter() -> None:
    args = _query(maxResults="5", unassigned="true", candidateGroups="a,b", name="")
    assert args.number("maxResults") == 5
    assert args.flag("unassigned") is True
    assert args.items("candidateGroups") == ["a", "b"]
    assert args.text("name") is None
    for name, value, getter in (("maxResults", "ten", "number"), ("active", "yes", "flag")):
        with pytest.raises(BadUserRequest, match=name):
            getattr(_query(**{name: value}), getter)(name)


def test_variable_filters_from_query_string_and_body() -> None:
    filters = _query(variables="amount_gteq_5,my_name_like_A%,ok_eq_true").variable_filters()
    assert [(f.name, f.operator, f.value) for f in filters] == [
        ("amount", "gteq", 5), ("my_name", "like", "A%"), ("ok", "eq", True)]
    with pytest.raises(BadUserRequest, match="Invalid variable comparator specified: is"):
        _query(variables="amount_is_5").variable_filters()
    with pytest.raises(BadUserRequest, match="KEY_OPERATOR_VALUE"):
        _query(variables="amount").variable_filters()
    body = Params({"variables": [{"name": "a", "operator": "neq", "value": "x"}]},
                  from_query=False)
    assert body.variable_filters()[0].value == "x"


def test_sorting_needs_both_parts_and_known_keys() -> None:
    assert _query(sortBy="name", sortOrder="desc").sorting(["name"]) == [Sort("name", True)]
    assert _query().sorting(["name"]) == []
    with pytest.raises(BadUserRequest, match="sortBy and sortOrder required"):
        _query(sortBy="name").sorting(["name"])
    with pytest.raises(BadUserRequest, match="'sortBy' to value 'size'"):
        _query(sortBy="size", sortOrder="asc").sorting(["name"])
    body = Params({"sorting": [{"sortBy": "name", "sortOrder": "asc"}]}, from_query=False)
    assert body.sorting(["name"]) == [Sort("name", False)]
    assert Params({"sorting": None}, from_query=False).sorting(["name"]) == []


def test_listing_filters_sorts_and_pages_what_the_engine_cannot() -> None:
    calls: list[tuple[int, int | None]] = []

    def fetch(first: int, limit: int | None) -> list[dict]:
        calls.append((first, limit))
        return [{"n": n, "k": k} for n, k in ((3, "a"), (1, None), (2, "b"), (4, "a"))]

    keys = {"n": lambda x: x["n"], "k": lambda x: x["k"]}
    assert listing(fetch, [], [], keys, (1, 2)) == fetch(1, 2)[:4]
    assert calls[0] == (1, 2)
    found = listing(fetch, [lambda x: x["n"] > 1], [Sort("k", False), Sort("n", True)], keys,
                    (0, 2))
    assert [x["n"] for x in found] == [4, 3]
    assert calls[-1] == (0, None)
    assert [x["n"] for x in listing(fetch, [], [Sort("k", False)], keys)][:1] == [1]


def test_like_is_sql_like() -> None:
    assert like_match("order-17", "order-%")
    assert like_match("abc", "a_c")
    assert not like_match("abc", "a.c")
    assert not like_match(None, "%")
