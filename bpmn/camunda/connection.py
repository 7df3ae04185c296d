"""HTTP to a Camunda 7 / Operaton ``/engine-rest``: URL, auth, timeouts, error mapping.

Why pycamunda requests go through our own `requests.Session`: pycamunda's
request classes know Camunda's paths and parameter names, but its transport
loses what the `Engine` protocol promises — it keeps only the message of an
error body (not its ``type``), sends no timeout, its ``deployment.Create``
ignores ``.session`` (so no auth), and its result dataclasses drop fields we
need (``tenantId`` of tasks, ...). So `send` takes a pycamunda request for its
URL and parameters, sends it with our session, and hands back Camunda's JSON;
endpoints pycamunda lacks (history, jobs, job definitions, ``/engine``) use
`call` with a path. Every non-2xx answer becomes a `bpmn.engine_errors` class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

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
from connectors.urls import mask_url

DEFAULT_PATH = "/engine-rest"
DEFAULT_TIMEOUT = 30.0
_LOCKED = re.compile(r"locked by worker|cannot be \w+ by worker|not locked by worker", re.I)
_MISSING = re.compile(r"cannot find|does not exist|not found|no matching|is null", re.I)


@dataclass(frozen=True)
class Target:
    """Where a ``camunda+http(s)://`` URL points: base URL and Basic credentials."""

    base_url: str
    username: str | None = None
    password: str | None = None

    @property
    def auth(self) -> tuple[str, str] | None:
        return None if self.username is None else (self.username, self.password or "")


def parse_url(url: str) -> Target:
    """``camunda+https://user:pw@host:8443/engine-rest`` -> https base URL + credentials."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("camunda+http", "camunda+https"):
        raise ValueError(f"not a Camunda engine URL: {mask_url(url)!r}")
    if not parts.hostname:
        raise ValueError(f"Camunda engine URL without host: {mask_url(url)!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path.rstrip("/") or DEFAULT_PATH
    base = urlunsplit((scheme.removeprefix("camunda+"), netloc, path, "", ""))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return Target(base, user, password)


def error_for(status: int, body: Any) -> EngineError:
    """The engine error for a Camunda error answer (``{type, message}`` + HTTP status).

    Camunda signals some conditions only through its exception type or message
    (a message correlation that matched nothing is a 400 ``RestException``
    "Cannot correlate message..."; completing an unknown task can be a 500
    "Cannot find task"), so both are consulted.
    """
    kind = body.get("type") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    message = str(message or f"Camunda answered HTTP {status}")
    text = f"{kind or ''} {message}"
    if status == 404:
        return NotFound(message)
    if "MismatchingMessageCorrelation" in text or message.startswith("Cannot correlate"):
        return MismatchingMessageCorrelation(message)
    if "TaskAlreadyClaimed" in text or "already claimed" in message:
        return TaskAlreadyClaimed(message)
    if "OptimisticLocking" in text:
        return OptimisticLocking(message)
    if status == 400:
        cls = ExternalTaskLockedByOther if _LOCKED.search(message) else BadUserRequest
        return cls(message, type=kind)
    if "SuspendedEntityInteraction" in text:
        return BadUserRequest(message, type=kind)
    if status >= 500 and _MISSING.search(message):
        return NotFound(message, type=kind)
    if status < 500:
        return EngineError(message, status=status, type=kind)
    return ProcessEngineError(message, status=status, type=kind)


class _Session(requests.Session):
    """A session that always sends a timeout (pycamunda-style calls never would)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, method: str | bytes, url: str | bytes,  # type: ignore[override]
                *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


class Connection:
    """One authenticated session to one ``/engine-rest``; thread-safe for our use."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.target = parse_url(url)
        self.url = self.target.base_url
        self.display_url = mask_url(url)
        self.session = _Session(timeout)
        self.session.auth = self.target.auth
        self.session.headers["Accept"] = "application/json"

    def send(self, request: Any, method: str, *, multipart: bool = False) -> Any:
        """Send a pycamunda request (its URL and parameters) with our session."""
        params = request.query_parameters()
        body = request.body_parameters()
        if multipart:  # form fields are text: Camunda reads "true", not Python's "True"
            fields = {k: str(v).lower() if isinstance(v, bool) else v for k, v in body.items()}
            return self._answer(self._do(method, request.url, params=params, data=fields,
                                         files=request.files))
        return self._answer(self._do(method, request.url, params=params,
                                     json=body if method in ("POST", "PUT") else None))

    def call(self, method: str, path: str, *, params: dict[str, Any] | None = None,
             json: Any = None) -> Any:
        """A raw REST call (endpoints pycamunda does not cover)."""
        return self._answer(self._do(method, self.url + path, params=params, json=json))

    def _do(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, **kwargs)
        except requests.RequestException as exc:
            raise ProcessEngineError(f"Camunda at {self.display_url} is unreachable: "
                                     f"{type(exc).__name__}", status=503) from None

    @staticmethod
    def _answer(response: requests.Response) -> Any:
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise error_for(response.status_code, body)
        if response.status_code == 204 or not response.content:
            return None
        if "json" not in response.headers.get("Content-Type", ""):
            return response.content
        return response.json()

    def close(self) -> None:
        self.session.close()
