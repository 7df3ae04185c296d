"""URL helpers shared by every connector registry and by settings.

Why here: every backend is chosen by URL scheme (DESIGN §1), and every place
that logs a URL must mask its password the same way. It lives in the lowest
layer so connectors, policies and the runtime can all use it.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

MASK = "***"


def scheme_of(url: str) -> str:
    """The scheme (adapter selector) of ``url``; ``sqlite:///x`` -> ``sqlite``."""
    return urlsplit(url).scheme.lower()


def mask_url(url: str) -> str:
    """Replace the password (and secret query values) of a URL with ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + MASK
        netloc = f"{userinfo}@{host}"
    query = "&".join(_mask_param(p) for p in parts.query.split("&")) if parts.query else ""
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


_SECRET_PARAMS = ("password", "secret", "token", "key", "apikey", "api_key")


def _mask_param(param: str) -> str:
    name, sep, _value = param.partition("=")
    return f"{name}={MASK}" if sep and name.lower() in _SECRET_PARAMS else param


class UnknownScheme(ValueError):
    """Raised when a URL names no registered adapter; lists the known ones."""

    def __init__(self, kind: str, url: str, known: list[str]) -> None:
        super().__init__(
            f"unknown {kind} URL scheme in {mask_url(url)!r}; known schemes: {', '.join(known)}"
        )
        self.kind = kind
        self.known = known


def load_adapter(kind: str, url: str, registry: Mapping[str, str]) -> Any:
    """Import the adapter class registered for ``url``'s scheme (lazily)."""
    scheme = scheme_of(url)
    target = registry.get(scheme)
    if target is None:
        raise UnknownScheme(kind, url, sorted(registry))
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def check_scheme(kind: str, url: str, registry: Mapping[str, str]) -> None:
    """Fail fast at start-up on an unknown scheme without importing the adapter."""
    if scheme_of(url) not in registry:
        raise UnknownScheme(kind, url, sorted(registry))
