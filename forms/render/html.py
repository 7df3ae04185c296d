"""The one place where HTML text is produced: tags, attributes, ids.

Every attribute value and every text child goes through ``markupsafe.escape``
here, and only here, so a schema title such as ``<script>`` or a data value with
quotes can never break out of its element. Renderers compose ``Markup`` returned
by these helpers and never format HTML strings themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from markupsafe import Markup

#: Attribute values: ``None``/``False`` drop the attribute, ``True`` writes it bare.
AttrValue = str | int | float | bool | None

_SPECIAL = re.compile(r"[&<>\"']")
_SAFE_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def escape(text: str) -> str:
    """HTML-escape text for element content and quoted attribute values.

    The same five replacements as ``markupsafe.escape``, without building a
    ``Markup`` per call: rendering escapes a few thousand strings per form, and
    this keeps a grant-sized form well inside its time budget.
    """
    if isinstance(text, Markup):
        return str(text)
    if _SPECIAL.search(text) is None:
        return text
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def _attributes(attrs: Mapping[str, AttrValue]) -> str:
    """`` name="value"`` pairs; attribute names are ours (constants), values escaped."""
    parts: list[str] = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{escape(str(value))}"')
    return "".join(parts)


def _content(children: Iterable[str | Markup]) -> str:
    """Children as HTML: ``Markup`` is trusted as it is, plain strings are escaped."""
    return "".join(c if isinstance(c, Markup) else escape(str(c)) for c in children)


def void(name: str, attrs: Mapping[str, AttrValue]) -> Markup:
    """An element without content, e.g. ``<input>``."""
    return Markup(f"<{name}{_attributes(attrs)}>")  # noqa: S704 - attributes escaped above


def tag(name: str, attrs: Mapping[str, AttrValue], *children: str | Markup) -> Markup:
    """An element with children; plain strings are escaped, ``Markup`` is trusted."""
    return Markup(f"<{name}{_attributes(attrs)}>{_content(children)}</{name}>")  # noqa: S704


def join(pieces: Iterable[str | Markup]) -> Markup:
    """Concatenate markup (escaping any plain string among the pieces)."""
    return Markup(_content(pieces))  # noqa: S704 - _content escapes plain strings


def classes(*names: str | bool | None) -> str:
    """A class attribute value from the names that are set."""
    return " ".join(name for name in names if isinstance(name, str) and name)


def html_id(name: str) -> str:
    """A valid, collision-free element id for a control name.

    Letters and digits stay, ``/`` becomes ``-``, every other character becomes
    ``_<hex>_``. The mapping is injective (``-`` and ``_`` never appear
    unescaped), so two different names can never share an id, and suffixes that
    start with ``__`` followed by a non-hex letter (``__help``, ``__error``) can
    never collide with another field's id either.
    """
    out: list[str] = []
    for char in name:
        if char in _SAFE_ID_CHARS:
            out.append(char)
        elif char == "/":
            out.append("-")
        else:
            out.append(f"_{ord(char):x}_")
    return "".join(out)
