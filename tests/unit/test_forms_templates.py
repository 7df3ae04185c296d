"""Case title templates: rendering rules and the tightened sandbox."""

from __future__ import annotations

import time
from typing import Any

import pytest

from forms import TemplateError, check_template, render_title

CONTEXT: dict[str, Any] = {
    "data": {"applicant": "Ada Lovelace", "amount": 1200, "items": ["a", "b"],
             "html": "<b>bold</b>", "big": list(range(5000)), "_secret": "s"},
    "number": "GR-2025-00042",
}


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ data.applicant }} ({{ data.amount }} EUR)", "Ada Lovelace (1200 EUR)"),
    ("{{ number }}: {{ data.missing }}{{ data.a.b.c }}!", "GR-2025-00042: !"),
    ("  {{ data.applicant }}\n\n\t {{ number }}  ", "Ada Lovelace GR-2025-00042"),
    ("{{ data.html }}", "<b>bold</b>"),  # plain text: escaped where shown, not here
    ("{{ data.items|join(', ') }} {{ data.applicant|upper }}", "a, b ADA LOVELACE"),
    ("{{ data.items }}", "['a', 'b']"),  # the field "items", not dict.items
    ("{{ data['_secret'] }}", "s"),
    ("{% if data.amount > 1000 %}BIG {% endif %}{{ data.applicant|truncate(6, True, '') }}",
     "BIG Ada Lo"),
    ("{% for i in range(3) %}{{ i }}{% endfor %}", "012"),
    ("{{ 'ab' * 3 }} {{ 2 ** 10 }}", "ababab 1024"),
])
def test_render(template: str, expected: str) -> None:
    assert check_template(template) == []
    assert render_title(template, CONTEXT) == expected


def test_titles_are_capped_at_300_characters() -> None:
    title = render_title("{{ data.big|join(' ') }}", CONTEXT)
    assert len(title) == 300 and title.startswith("0 1 2 3")


def test_loops_over_big_lists_stop_after_100_items() -> None:
    title = render_title("{% for i in data.big %}{{ loop.length }}{% endfor %}", CONTEXT)
    assert title == "100" * 100


@pytest.mark.parametrize(("template", "fragment"), [
    ("{{ ''.__class__.__mro__ }}", "private attribute '__class__'"),
    ("{{ self._TemplateReference__context }}", "private attribute"),
    ("{{ data.applicant.center(1000000000) }}", "function calls are not allowed"),
    ("{{ lipsum(10) }}", "function calls are not allowed"),
    ("{{ cycler.__init__.__globals__ }}", "private attribute"),
    ("{% set x = 1 %}{{ x }}", "'Assign' is not allowed"),
    ("{% macro f() %}{{ f() }}{% endmacro %}", "'Macro' is not allowed"),
    ("{% include 'x' %}", "'Include' is not allowed"),
    ("{% extends 'x' %}", "'Extends' is not allowed"),
    ("{% for a in data.items %}{% for b in data.items %}{% endfor %}{% endfor %}",
     "nested or recursive loops"),
    ("{% for a in data.items recursive %}{% endfor %}", "nested or recursive loops"),
    ("{{ data.applicant|center(1000000000) }}", "No filter named 'center'"),
    ("{{ '%s'|format(1) }}", "No filter named 'format'"),
    ("{{ data.applicant ", "line 1: unexpected end of template"),
    ("x" * 2001, "longer than 2000"),
])
def test_refused_statically(template: str, fragment: str) -> None:
    problems = check_template(template)
    assert any(fragment in problem for problem in problems), problems
    with pytest.raises(TemplateError, match=r"\w"):
        render_title(template, CONTEXT)


@pytest.mark.parametrize(("template", "fragment"), [
    ("{{ ''['__class__'] }}", "'__class__' is not allowed"),
    ("{{ ['a']|map(attribute='__class__')|list }}", "'__class__' is not allowed"),
    ("{% for i in range(10**9) %}x{% endfor %}", "range() is limited"),
    ("{{ range(10**9)|list }}", "range() is limited"),
    ("{{ 'a' * 10**9 }}", "repetition too large"),
    ("{{ ([1] * 5000) * 5000 }}", "repetition too large"),
    ("{{ 9 ** (9 ** 9) }}", "number too large"),
    ("{{ (10 ** 1000) * (10 ** 1000) * (10 ** 1000) }}", "number too large"),
    ("{{ '%999999999s' % 'a' }}", "'%' string formatting"),
    ("{{ data.missing > 3 }}", "could not be rendered"),
    ("{{ data.big|select('in', data.big)|list }}", "No test named 'in'"),
])
def test_refused_when_rendering(template: str, fragment: str) -> None:
    started = time.perf_counter()
    with pytest.raises(TemplateError) as caught:
        render_title(template, CONTEXT)
    assert fragment in caught.value.message
    assert time.perf_counter() - started < 1.0


def test_context_cannot_be_mutated() -> None:
    context = {"data": {"items": [1]}}
    assert check_template("{{ data['items'].append(2) }}") != []
    with pytest.raises(TemplateError):
        render_title("{{ data['items'].append(2) }}", context)
    assert context == {"data": {"items": [1]}}
