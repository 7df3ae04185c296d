"""Policy decisions from an Open Policy Agent server over its REST API.

Production runs OPA beside the replicas (DESIGN §1): every replica asks the
same server, and OPA loads ``policies/casestudio.rego`` (or the customer's) as
its policy. The runtime pushes the case-type permissions with ``set_data``
after each deployment, exactly what the embedded engine receives.

URL: ``opa+http://opa:8181`` or ``opa+https://opa.example.org/prefix``;
``?token=...`` is sent as ``Authorization: Bearer`` (OPA ``--authentication=token``)
and never appears in errors or health output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

import requests

from policies import PACKAGE, PolicyError, Resource, Scope, Subject

DEFAULT_TIMEOUT = (2.0, 5.0)
"""(connect, read) seconds: a decision that takes longer fails the request (closed)."""


def base_url(url: str) -> str:
    """``opa+https://user@host:1/p?token=x`` -> ``https://host:1/p`` (no secrets)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower().removeprefix("opa+")
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((scheme, host, parts.path.rstrip("/"), "", ""))


def token_of(url: str) -> str | None:
    """The bearer token given as ``?token=`` in the policy URL, if any."""
    values = parse_qs(urlsplit(url).query).get("token")
    return values[0] if values else None


class OpaPolicy:
    """:class:`policies.Policy` answered by OPA's Data API (``/v1/data/...``)."""

    def __init__(self, url: str, *, session: requests.Session | None = None,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        self.base = base_url(url)
        self.timeout = timeout
        self.session = session or requests.Session()
        token = token_of(url)
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def allowed(self, subject: Subject, action: str, resource: Resource) -> bool:
        document = {"subject": subject, "action": action, "resource": resource}
        return self._decide("allow", document) is True

    def scope(self, subject: Subject, action: str) -> Scope:
        return Scope.from_result(self._decide("scope", {"subject": subject, "action": action}))

    def set_data(self, data: Mapping[str, Any]) -> None:
        """Replace each top-level document (``caseTypes``) with a ``PUT /v1/data/<key>``."""
        for key, value in data.items():
            self._call("PUT", f"/v1/data/{quote(str(key), safe='')}", value)

    def check(self) -> dict[str, Any]:
        """OPA's own ``/health`` (200 once its policies are loaded)."""
        try:
            self._call("GET", "/health")
        except PolicyError as exc:
            return {"status": "error", "backend": "opa", "url": self.base, "detail": str(exc)}
        return {"status": "ok", "backend": "opa", "url": self.base}

    def _decide(self, rule: str, document: Mapping[str, Any]) -> Any:
        """The rule's value for ``document``; ``None`` when OPA says it is undefined."""
        answer = self._call("POST", f"/v1/data/{PACKAGE}/{rule}", {"input": document})
        if not isinstance(answer, dict):
            raise PolicyError(f"OPA at {self.base} answered {type(answer).__name__}, not an object")
        return answer.get("result")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        """One request; any transport error or non-2xx answer is a :class:`PolicyError`."""
        try:
            response = self.session.request(method, self.base + path, timeout=self.timeout,
                                            json=body if method != "GET" else None)
        except requests.RequestException as exc:
            raise PolicyError(f"OPA at {self.base} unreachable: {type(exc).__name__}") from None
        if not response.ok:
            raise PolicyError(f"OPA at {self.base} answered {response.status_code} to {path}")
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise PolicyError(f"OPA at {self.base} answered non-JSON to {path}") from None
