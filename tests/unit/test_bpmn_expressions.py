"""The sandboxed expression evaluator and ISO-8601 timers (bpmn.expressions).

Three things matter: Camunda models evaluate as Camunda would (JUEL subset and
its coercions), analysts' Python-style conditions work, and nothing an analyst
writes can reach Python internals or exhaust memory/CPU.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from bpmn.errors import ExpressionError
from bpmn.expressions import (
    CalendarDuration,
    evaluate,
    evaluate_condition,
    is_expression,
    is_literal_timer,
    parse_expression,
    parse_timer,
)

VARS: dict[str, Any] = {
    "amount": 1500, "approved": True, "rejected": False, "items": [1, 2, 3], "none": None,
    "customer": {"name": "Ann", "age": 30, "tags": ["vip"]}, "text": "false", "n": 3,
    "empty_list": [], "blank": "", "group": "sales", "flag": "true",
}


@pytest.mark.parametrize(("expression", "expected"), [
    ("${amount > 1000}", True),
    ("#{amount > 1000}", True),
    ("${amount gt 1000 && !approved}", False),
    ("${amount ge 1500 and approved}", True),
    ("${amount lt 10 || approved}", True),
    ("${amount eq 1500}", True),
    ("${amount ne 1500}", False),
    ("${amount le 1499}", False),
    ("${not approved}", False),
    ("${empty items}", False),
    ("${empty empty_list}", True),
    ("${empty none}", True),
    ("${empty blank}", True),
    ("${not empty customer.name}", True),
    ("${none == null}", True),
    ("${customer.missing == null}", True),
    ("${customer.name == 'Ann'}", True),
    ('${customer.name == "Ann"}', True),
    ("${customer.tags[0]}", "vip"),
    ("${items[5]}", None),
    ("${customer['age'] + 1}", 31),
    ("${approved ? 'yes' : 'no'}", "yes"),
    ("${rejected ? 1 : approved ? 2 : 3}", 2),
    ("${1 + 2 * 3}", 7),
    ("${(1 + 2) * 3}", 9),
    ("${5-2}", 3),
    ("${-n + 1}", -2),
    ("${7 div 2}", 3.5),
    ("${7 mod 2}", 1),
    ("${7 % 2}", 1),
    ("${1.5e2}", 150.0),
    ("${items.size()}", 3),
    ("${items.contains(2)}", True),
    ("${customer.containsKey('age')}", True),
    ("${customer.name.equals('Ann')}", True),
    ("${customer.name.equalsIgnoreCase('ANN')}", True),
    ("${customer.name.length()}", 3),
    ("${empty_list.isEmpty()}", True),
    ("${customer.name.toUpperCase()}", "ANN"),
    ("${customer.name.startsWith('A')}", True),
    ("${customer.get('zip', 'none')}", "none"),
    ("${group in ['sales', 'ops']}", True),
    ("${group not in ['sales', 'ops']}", False),
    ("${'it\\'s'}", "it's"),
    ("${'}' == '}'}", True),
    ("${true && !false}", True),
    ("${len(items) > 2}", True),
])
def test_juel(expression: str, expected: Any) -> None:
    assert evaluate(expression, VARS) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    ("amount > 1000 and approved", True),
    ("amount > 1000 and not approved", False),
    ("group in ['a', 'sales']", True),
    ("len(items) > 2", True),
    ("items[-1]", 3),
    ("items[0:2]", [1, 2]),
    ("customer.name.lower()", "ann"),
    ("customer.age if approved else 0", 30),
    ("1 < n < 5", True),
    ("none is None", True),
    ("min(items) + max(items) + sum(items)", 10),
    ("sorted([3, 1, 2])", [1, 2, 3]),
    ("round(2.567, 1)", 2.6),
    ("abs(-4) // 3", 1),
    ("2 ** 10", 1024),
    ("any([rejected, approved]) and not all([rejected, approved])", True),
    ("int('42') + float('0.5')", 42.5),
    ("str(approved)", "true"),
    ("sorted(customer.keys())", ["age", "name", "tags"]),
    ("{'a': 1}['a']", 1),
    ("(1, 2)[1]", 2),
    ("f'{amount} EUR'", "1500 EUR"),
    ("approved == true", True),
    ("'ab' * 2 + 'c'", "ababc"),
    ("items.count(2) + items.index(3)", 3),
])
def test_python_style(expression: str, expected: Any) -> None:
    assert evaluate(expression, VARS) == expected


def test_juel_coercions_follow_camunda() -> None:
    assert evaluate("${flag == true}", VARS) is True  # form text 'true' equals boolean true
    assert evaluate("${approved == 'true'}", VARS) is True
    assert evaluate("${'5' == 5}", VARS) is True
    assert evaluate("${'x' == 5}", VARS) is False
    assert evaluate("${!text}", VARS) is True  # the text 'false' is false, as in JUEL
    assert evaluate_condition("${text}", VARS) is False
    assert evaluate_condition("${flag}", VARS) is True
    assert evaluate_condition("items", VARS) is True and evaluate_condition("blank", VARS) is False


def test_templates_concatenate_text() -> None:
    assert evaluate("kermit_${n}", VARS) == "kermit_3"
    assert evaluate("${customer.name} has ${n} items, ok=${approved}", VARS) == \
        "Ann has 3 items, ok=true"
    assert evaluate("x${none}y", VARS) == "xy"


def test_unknown_variables_raise_like_camunda() -> None:
    with pytest.raises(ExpressionError, match="unknown variable 'ghost'") as info:
        evaluate("${ghost == null}", VARS)
    assert info.value.expression == "${ghost == null}"
    with pytest.raises(ExpressionError, match="unknown variable 'ghost'"):
        evaluate("ghost > 1", VARS)


def test_size_limits_leave_ordinary_data_alone() -> None:
    text = {"s": "a" * 200_000, "rows": [[1] * 300] * 300}
    assert len(evaluate("s + s", text)) == 400_000  # concatenation of real data is fine
    assert len(evaluate("str(rows)", text)) > 100_000
    assert evaluate("len('ab' * 50_000)", {}) == 100_000


def test_functions_for_dates_and_durations() -> None:
    before = datetime.now(UTC)
    due = evaluate("${dateTime().plusDays(2).toDate()}", {})
    assert timedelta(days=2) <= due - before < timedelta(days=2, minutes=1)
    assert isinstance(evaluate("today()", {}), date)
    jan31 = {"d": datetime(2026, 1, 31, 9, tzinfo=UTC)}
    assert evaluate("d.plusMonths(1)", jan31) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert evaluate("d.minusWeeks(1).day", jan31) == 24
    assert evaluate("d + duration('P1M')", jan31) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert evaluate("d - duration('PT1H')", jan31) == datetime(2026, 1, 31, 8, tzinfo=UTC)
    assert evaluate("datetime('2026-01-01T10:00:00Z') < d", jan31) is True
    assert evaluate("date('2026-03-04').month", {}) == 3
    assert evaluate("d.isAfter(datetime('2026-01-01'))", jan31) is True
    assert evaluate("datetime('2026-01-01T10:00:00')", {}).tzinfo is UTC


@pytest.mark.parametrize(("expression", "message"), [
    ("().__class__", "leading underscore"),
    ("().__class__.__bases__[0].__subclasses__()", "leading underscore"),
    ("items.__len__()", "leading underscore"),
    ("customer._secret", "leading underscore"),
    ("__import__('os').system('true')", "leading underscore"),
    ("_hidden", "leading underscore"),
    ("${customer.__class__}", "leading underscore"),
    ("eval('1')", "unknown function eval()"),
    ("getattr(items, 'append')", "unknown function getattr()"),
    ("open('/etc/passwd')", "unknown function open()"),
    ("type(items)", "unknown function type()"),
    ("'{0.__class__}'.format(items)", "unknown method format()"),
    ("customer.name.replace('A', 'B')", "unknown method replace()"),
    ("items.append(4)", "unknown method append()"),
    ("(lambda: 1)()", "lambdas are not allowed"),
    ("[x for x in items]", "comprehensions are not allowed"),
    ("(y := 1)", "assignments are not allowed"),
    ("max(*items)", "unpacking is not allowed"),
    ("sorted(items, key=len)", "keyword arguments"),
    ("{**customer}", "unpacking is not allowed"),
    ("f'{amount:>999999999}'", "format specifications"),
    ("f'{amount!r}'", "format specifications"),
    ("'%999999999d' % 1", "formatting with %"),
    ("b'abc'", "bytes literals"),
    ("1j", "complex literals"),
    ("1 << 100000", "LShift"),
    ("~1", "Invert"),
    ("import os", "syntax error"),
    ("items()", "unknown function items()"),
    ("${execution.setVariable('a', 1)}", "unknown method setVariable()"),
])
def test_sandbox_refuses(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        evaluate(expression, VARS)


@pytest.mark.parametrize(("expression", "variables"), [
    ("'a' * 10**9", {}),
    ("[1] * 10**8", {}),
    ("10**8 * 'a'", {}),
    ("9**9**9", {}),
    ("2**100000", {}),
    ("(10**1000) * (10**1000) * (10**1000)", {}),
    ("s + s", {"s": "a" * 600_000}),
    ("items * 100_000", {"items": [1, 2]}),
    ("'x' * 200 * 200 * 200", {}),
    ("[['a' * 9000]] * 9000", {}),
    ("str([[1] * 50000] * 50000)", {}),
    ("sorted([[1] * 50000] * 50000)", {}),
    ("[big] * 2", {"big": ["x" * 60_000]}),
])
def test_resource_limits(expression: str, variables: dict[str, Any]) -> None:
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match=r"too large|longer than"):
        evaluate(expression, variables)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(("expression", "message"), [
    ("[" + "1," * 600 + "1]", "too complex"),                 # too many nodes, shallow
    ("-" * 200 + "1", "too complex"),                         # too deep
    ("${" + "(" * 60 + "1" + ")" * 60 + "}", "nested too deeply"),
    ("${" + "!" * 100 + "true}", "nested too deeply"),
    ("x" * 2001, "longer than 2000 characters"),
    ("(" * 300 + "1" + ")" * 300, "too many nested parentheses"),  # Python's own limit
])
def test_size_and_depth_limits(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_expression(expression)


@pytest.mark.parametrize(("expression", "message"), [
    ("${a &&}", "unexpected end"),
    ("${(a}", r"expected '\)'"),
    ("${a b}", "unexpected 'b'"),
    ("${}", "empty expression"),
    ("${a", "missing '}'"),
    ("${a @ b}", "unexpected character '@'"),
    ("${x instanceof y}", "unexpected 'instanceof'"),
    ("${a ? b}", "expected ':'"),
    ("${a.}", "property name"),
    ("amount >", "syntax error"),
    ("", "syntax error"),
])
def test_syntax_errors(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse_expression(expression)


@pytest.mark.parametrize(("expression", "message"), [
    ("amount / 0", "division by zero"),
    ("'a' < 1", "not supported"),
    ("amount[0]", "cannot index a number"),
    ("amount.size()", "a number has no method size"),
    ("none.size()", "on null"),
    ("amount.name", "cannot read property 'name' of a number"),
    ("items['a']", "whole number"),
    ("int('x')", "invalid literal"),
    ("items.index(9)", "not in list"),
    ("date(5)", "needs ISO-8601 text"),
    ("duration('P1X')", "not an ISO-8601 duration"),
    ("sum([[1], [2]])", "adds numbers only"),
    ("sum([[1], [2]], [])", "positional argument"),
])
def test_runtime_errors_carry_the_expression(expression: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message) as info:
        evaluate(expression, VARS)
    assert info.value.expression == expression


def test_prepared_expressions_are_cached_and_fast() -> None:
    assert parse_expression("${amount > 1000}") is parse_expression("${amount > 1000}")
    evaluate("${amount > 1000}", VARS)
    started = time.perf_counter()
    for _ in range(10_000):
        evaluate("${amount > 1000}", VARS)
    assert (time.perf_counter() - started) / 10_000 < 50e-6  # a few µs; generous for CI


def test_is_expression() -> None:
    assert is_expression("${a}") and is_expression("#{a}") and is_expression("x_${a}")
    assert not is_expression("demo") and not is_expression("$ {a}") and not is_expression("PT5M")


NOW = datetime(2026, 1, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize(("text", "kind", "due", "repetitions"), [
    ("PT1S", "duration", NOW + timedelta(seconds=1), 1),
    ("PT1.5S", "duration", NOW + timedelta(seconds=1.5), 1),
    ("P3D", "duration", NOW + timedelta(days=3), 1),
    ("P1DT2H", "duration", NOW + timedelta(days=1, hours=2), 1),
    ("P2W", "duration", NOW + timedelta(weeks=2), 1),
    ("P1M", "duration", datetime(2026, 2, 28, 12, tzinfo=UTC), 1),
    ("P1Y1M", "duration", datetime(2027, 2, 28, 12, tzinfo=UTC), 1),
    ("2026-01-01T10:00:00Z", "date", datetime(2026, 1, 1, 10, tzinfo=UTC), 1),
    ("2026-06-01T10:00:00+02:00", "date", datetime(2026, 6, 1, 8, tzinfo=UTC), 1),
    ("2036-11-14T11:12:22", "date", datetime(2036, 11, 14, 11, 12, 22, tzinfo=UTC), 1),
    ("2026-05-01", "date", datetime(2026, 5, 1, tzinfo=UTC), 1),
    ("R3/PT10M", "cycle", NOW + timedelta(minutes=10), 3),
    ("R/PT1H", "cycle", NOW + timedelta(hours=1), None),
    ("R2/2026-03-01T00:00:00Z/PT1H", "cycle", datetime(2026, 3, 1, tzinfo=UTC), 2),
    ("R/2026-01-01T00:00:00Z/PT1H", "cycle", datetime(2026, 1, 31, 13, tzinfo=UTC), None),
    ("R/2026-01-31T12:00:00Z/PT1H", "cycle", datetime(2026, 1, 31, 13, tzinfo=UTC), None),
    ("R/2025-01-31T00:00:00Z/P1M", "cycle", datetime(2026, 2, 28, tzinfo=UTC), None),
])
def test_timer_literals(text: str, kind: str, due: datetime, repetitions: int | None) -> None:
    spec = parse_timer(text)
    assert (spec.kind, spec.next_due(NOW), spec.repetitions) == (kind, due, repetitions)
    assert is_literal_timer(text)


def test_monthly_cycle_does_not_drift() -> None:
    spec = parse_timer("R/2025-01-31T00:00:00Z/P1M")
    assert spec.next_due(datetime(2026, 2, 28, 1, tzinfo=UTC)) == \
        datetime(2026, 3, 31, tzinfo=UTC)  # not March 28th


def test_leap_years_and_naive_now() -> None:
    assert parse_timer("P1M").next_due(datetime(2024, 1, 31)) == datetime(2024, 2, 29,
                                                                           tzinfo=UTC)
    assert parse_timer("P1Y").next_due(datetime(2024, 2, 29, tzinfo=UTC)) == \
        datetime(2025, 2, 28, tzinfo=UTC)
    offset = timezone(timedelta(hours=2))
    assert parse_timer("PT1H").next_due(datetime(2026, 1, 1, 10, tzinfo=offset)) == \
        datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_timer_expressions() -> None:
    variables = {"delay": "PT5M", "due": datetime(2026, 2, 1, tzinfo=UTC),
                 "wait": timedelta(hours=2), "day": date(2026, 2, 2)}
    assert parse_timer("${delay}", variables).next_due(NOW) == NOW + timedelta(minutes=5)
    assert parse_timer("${due}", variables).kind == "date"
    assert parse_timer("${wait}", variables).next_due(NOW) == NOW + timedelta(hours=2)
    assert parse_timer("${day}", variables).next_due(NOW) == datetime(2026, 2, 2, tzinfo=UTC)
    assert parse_timer("${duration('P1M')}", {}).next_due(NOW).month == 2
    assert parse_timer("${'R2/PT1M'}", {}).repetitions == 2
    assert not is_literal_timer("${delay}")
    with pytest.raises(ExpressionError, match="not a date or duration"):
        parse_timer("${5}", {})
    with pytest.raises(ExpressionError, match="unknown variable"):
        parse_timer("${missing}", {})


@pytest.mark.parametrize(("text", "message"), [
    ("0 0/5 * * ?", "not a timer"),
    ("0 0 12 L * ?", "day of month .L. .* is not supported"),
    ("0 0 25 * * ?", "bad cron value '25'"),
    ("0 0 5-2 * * ?", "bad cron range"),
    ("0 0/0 * * * ?", "bad cron step"),
    ("PT", "not an ISO-8601 duration"),
    ("P", "not an ISO-8601 duration"),
    ("P1DT", "not an ISO-8601 duration"),
    ("P1.5M", "not an ISO-8601 duration"),
    ("-PT1S", "not an ISO-8601"),
    ("R0/PT1M", "at least once"),
    ("R/PT0S", "longer than zero"),
    ("R3/PT1H/2026-01-01T00:00:00Z", "not a repeating interval"),
    ("R3", "not a repeating interval"),
    ("tomorrow", "not an ISO-8601"),
    ("2026-13-01T00:00:00Z", "not an ISO-8601 date-time"),
    ("P99999Y", "too long"),
    ("P999999999999D", "too long"),
])
def test_invalid_timers(text: str, message: str) -> None:
    """Malformed timers are refused with a message naming what is wrong."""
    with pytest.raises(ExpressionError, match=message):
        parse_timer(text)
    assert not is_literal_timer(text)


@pytest.mark.parametrize(("text", "kind"), [
    ("PT5M", "date"), ("2026-01-01T00:00:00Z", "duration"), ("PT5M", "cycle"),
    ("R/PT5M", "duration"),
])
def test_timer_kind_must_match_the_element(text: str, kind: Any) -> None:
    with pytest.raises(ExpressionError, match=f"a {kind} timer needs"):
        parse_timer(text, kind=kind)


def test_calendar_duration_arithmetic() -> None:
    month = CalendarDuration(months=1, delta=timedelta(days=1))
    start = datetime(2026, 1, 30, tzinfo=UTC)
    assert start + month == datetime(2026, 3, 1, tzinfo=UTC)  # Feb 28 + 1 day
    assert month.subtract_from(datetime(2026, 3, 31, tzinfo=UTC)) == \
        datetime(2026, 2, 27, tzinfo=UTC)
    with pytest.raises(ExpressionError, match="out of range"):
        parse_timer("P9000Y").next_due(datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(("text", "now", "due"), [
    ("0 0/5 * * * ?", datetime(2026, 1, 1, 10, 3, 7, tzinfo=UTC),
     datetime(2026, 1, 1, 10, 5, tzinfo=UTC)),
    ("0/5 0/1 * 1/1 * ?", datetime(2026, 1, 1, 10, 0, 3, tzinfo=UTC),
     datetime(2026, 1, 1, 10, 0, 5, tzinfo=UTC)),
    ("0 0 12 ? * MON-FRI", datetime(2026, 12, 5, 13, 0, tzinfo=UTC),  # a Saturday
     datetime(2026, 12, 7, 12, 0, tzinfo=UTC)),
    ("0 30 9 1,15 JAN,JUL ?", datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
     datetime(2026, 7, 1, 9, 30, tzinfo=UTC)),
    ("0 15 10 ? * * 2030", NOW, datetime(2030, 1, 1, 10, 15, tzinfo=UTC)),
])
def test_quartz_cron_cycles_fire_at_the_next_matching_second(
        text: str, now: datetime, due: datetime) -> None:
    """Camunda's timeCycle also takes Quartz cron (seconds first, Sunday = 1, ``?``)."""
    timer = parse_timer(text, kind="cycle")
    assert timer.repetitions is None
    assert timer.next_due(now) == due
    assert timer.next_due(due) > due


def test_a_cron_whose_years_are_past_never_fires_again() -> None:
    with pytest.raises(ExpressionError, match="never fires again"):
        parse_timer("0 0 0 1 1 ? 2000").next_due(NOW)
