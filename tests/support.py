"""Shared test helpers: real PostgreSQL databases, bundles as zips, API client."""

from __future__ import annotations

import io
import os
import threading
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = ROOT / "seed" / "bundles"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_server(reason: str) -> None:
    """Skip locally when a server is missing, but fail under CI (never silently skip)."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = "cs_test_" + uuid.uuid4().hex[:12]
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        require_server(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def zip_folder(folder: Path, mutate: dict[str, bytes | None] | None = None) -> bytes:
    """Zip a bundle folder, optionally replacing (bytes) or removing (None) files."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes()
             for p in sorted(folder.rglob("*")) if p.is_file()}
    for name, content in (mutate or {}).items():
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    return zip_files(files)


def zip_files(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class Api:
    """A tiny JSON client over Flask's test client with a bearer token."""

    def __init__(self, client: Any, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, headers=self._headers(kw.pop("headers", None)),
                                **kw)

    def patch(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.patch(url, json=json, headers=self._headers(kw.pop("headers", None)),
                                 **kw)

    def deploy(self, data: bytes) -> Any:
        return self.client.post("/api/v1/bundles", data=data,
                                headers=self._headers({"Content-Type": "application/zip"}))


@contextmanager
def served_app(folder: Path, **settings: Any) -> Iterator[tuple[str, Any]]:
    """An app on a SQLite file in ``folder``, served on a free port: ``(base URL, app)``.

    Its background services are stopped afterwards (the browser and walkthrough tests).
    """
    from tests.conftest import make_app  # conftest imports this module

    app = make_app(f"sqlite:///{folder}/app.db", folder, **settings)
    try:
        with live_server(app) as base:
            yield base, app
    finally:
        app.extensions["casestudio"].stop()


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1:<free port> in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
