"""Case titles from sandboxed Jinja2, e.g. ``{{ data.applicant }} ({{ data.amount }} EUR)``.

Title templates are analyst input rendered on the hot path of case creation, so
the sandbox is tightened beyond Jinja's own: only expressions, ``if`` and single
(non-nested) ``for`` loops are allowed, no function calls except a small
``range``, no assignments, macros, imports or private attributes, only filters
that cannot blow up output size, size-capped ``*`` and ``**``, and a cap on the
rendered text. Autoescaping is off because titles are plain text; HTML output
escapes them where they are shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from itertools import islice
from typing import Any

from jinja2 import ChainableUndefined, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from forms.errors import TemplateError

MAX_TITLE = 300
MAX_TEMPLATE = 2000
MAX_RAW_OUTPUT = 10_000
MAX_ITEMS = 100  # longest range() and most iterations of a loop
MAX_SIZE = 10_000  # longest string/list a `*` may build
MAX_BITS = 4096  # largest integer `*` or `**` may build
_LOOP_FILTER = "loop_items"
SAFE_FILTERS = frozenset({
    "abs", "capitalize", "count", "d", "default", "dictsort", "first", "float", "int",
    "items", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
    "rejectattr", "reverse", "round", "select", "selectattr", "sort", "string", "sum",
    "title", "trim", "truncate", "unique", "upper", "wordcount",
})
_ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getattr,
    nodes.Getitem, nodes.Slice, nodes.Filter, nodes.Test, nodes.CondExpr, nodes.If, nodes.For,
    nodes.Compare, nodes.Operand, nodes.BinExpr, nodes.UnaryExpr, nodes.Concat, nodes.List,
    nodes.Tuple, nodes.Dict, nodes.Pair, nodes.Keyword, nodes.Call,
)


def _small_range(*args: int) -> range:
    """``range`` for titles: a handful of items, never a CPU burner."""
    numbers = range(*args)
    if len(numbers) > MAX_ITEMS:
        raise SecurityError(f"range() is limited to {MAX_ITEMS} items in titles")
    return numbers


def _loop_items(value: Any) -> list[Any]:
    """Every loop iterates through this filter: at most MAX_ITEMS rounds, so a loop
    over a huge submitted list cannot turn per-item work into quadratic time. Later
    items are dropped rather than refused: they would not fit in a title anyway."""
    return list(islice(value, MAX_ITEMS))


def _guarded_mul(left: Any, right: Any) -> Any:
    """``*`` that cannot build a giant string, list or integer."""
    ints = [v for v in (left, right) if isinstance(v, int)]
    seqs = [v for v in (left, right) if isinstance(v, str | list | tuple)]
    if len(ints) == 2 and ints[0].bit_length() + ints[1].bit_length() > MAX_BITS:
        raise SecurityError("number too large in title")
    if ints and seqs and ints[0] * len(seqs[0]) > MAX_SIZE:
        raise SecurityError("repetition too large in title")
    return left * right


def _guarded_pow(base: Any, exponent: Any) -> Any:
    """``**`` that cannot spend seconds computing a number with millions of digits."""
    if (isinstance(base, int) and isinstance(exponent, int)
            and (exponent > MAX_BITS or base.bit_length() * max(exponent, 0) > MAX_BITS)):
        raise SecurityError("number too large in title")
    return base**exponent


def _no_percent_format(left: Any, right: Any) -> Any:
    """``'%999999999s' % x`` would build a gigabyte; numbers keep their modulo."""
    if isinstance(left, str):
        raise SecurityError("'%' string formatting is not allowed in titles")
    return left % right


class _TitleEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with size-guarded operators and loud refusals."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(autoescape=False, undefined=ChainableUndefined)
        self.filters = {k: v for k, v in self.filters.items() if k in SAFE_FILTERS}
        self.filters[_LOOP_FILTER] = _loop_items
        self.tests.pop("in")  # `list|select("in", list)` would be quadratic in the data
        self.globals = {"range": _small_range}
        self.binop_table.update({"*": _guarded_mul, "**": _guarded_pow,
                                 "%": _no_percent_format})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """Route intercepted operators through the guarded table."""
        return self.binop_table[operator](left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """On mappings ``data.items`` means the field "items", never the dict method."""
        if isinstance(obj, Mapping):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """Refuse rather than render "" so a probing template fails visibly."""
        raise SecurityError(f"access to attribute {attribute!r} is not allowed")

    def is_safe_callable(self, obj: Any) -> bool:
        """Only our range may be called (calls of anything else are refused statically)."""
        return obj is _small_range


_ENV = _TitleEnvironment()


def _bound_loops(tree: nodes.Template) -> nodes.Template:
    """Route every loop's iterable through the MAX_ITEMS guard before compiling."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Filter(loop.iter, _LOOP_FILTER, [], [], None, None,
                                 lineno=loop.lineno)
    return tree


def _violations(tree: nodes.Template) -> Iterator[str]:
    """Statically refused constructs, described for the analyst."""
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            yield f"line {node.lineno}: '{type(node).__name__}' is not allowed in titles"
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            yield f"line {node.lineno}: private attribute {node.attr!r} is not allowed"
        elif isinstance(node, nodes.Call) and not (
                isinstance(node.node, nodes.Name) and node.node.name == "range"):
            yield f"line {node.lineno}: function calls are not allowed in titles (use filters)"
        elif isinstance(node, nodes.For) and (node.recursive or any(
                True for _ in node.find_all(nodes.For))):
            yield f"line {node.lineno}: nested or recursive loops are not allowed in titles"


def _problems(template: str) -> tuple[list[str], Any]:
    """(problems, compiled template or None)."""
    if len(template) > MAX_TEMPLATE:
        return [f"template is longer than {MAX_TEMPLATE} characters"], None
    try:
        tree = _ENV.parse(template)
        problems = list(dict.fromkeys(_violations(tree)))
        return problems, None if problems else _ENV.from_string(_bound_loops(tree))
    except TemplateSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.message}"], None
    except JinjaError as exc:
        return [str(exc)], None


@lru_cache(maxsize=512)
def _compiled(template: str) -> Any:
    """Compiled once per distinct template: titles render on every case change."""
    problems, compiled = _problems(template)
    if problems:
        raise TemplateError("; ".join(problems))
    return compiled


def check_template(template: str) -> list[str]:
    """Problems of a title template; [] when it compiles and uses only allowed constructs."""
    return _problems(template)[0]


def _collect(chunks: Iterator[str]) -> str:
    """Join rendered chunks, stopping once enough text for a title exists."""
    out: list[str] = []
    total = 0
    for chunk in chunks:
        out.append(chunk)
        total += len(chunk)
        if total > MAX_RAW_OUTPUT:
            break
    return "".join(out)


def render_title(template: str, context: Mapping[str, Any]) -> str:
    """Render a title: whitespace collapsed, at most MAX_TITLE characters.

    Raises TemplateError for an invalid or unsafe template and for render-time
    failures (e.g. comparing a missing value), so callers can fall back.
    """
    compiled = _compiled(template)
    try:
        text = _collect(compiled.generate(dict(context)))
    except Exception as exc:  # anything the template provoked, incl. SecurityError
        raise TemplateError(f"title could not be rendered: {exc}") from exc
    return " ".join(text.split())[:MAX_TITLE].rstrip()
