"""Fixtures: apps on SQLite and PostgreSQL, logged-in API clients per demo role."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import Api, postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every app-level test runs on both supported databases."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/casestudio.db"
    else:
        with postgres_database() as url:
            yield url


def make_app(database_url: str, tmp_path: Path, **overrides: Any) -> Any:
    from models.migrate import upgrade
    from runtime.app import create_app
    from seed.loader import DEMO_PASSWORD, DEMO_USERS

    upgrade(database_url)
    settings = {"instance_path": str(tmp_path / "instance"), "database_url": database_url,
                "storage_url": f"file://{tmp_path}/storage", "demo": True, "testing": True,
                "secret_key": "test-secret", **overrides}
    app = create_app(settings)
    identity = app.extensions["casestudio"].identity
    for name, (roles, display) in DEMO_USERS.items():
        identity.add_user(name, DEMO_PASSWORD, roles, display_name=display, demo=True,
                          password_hash=_demo_hash())
    return app


@functools.cache
def _demo_hash() -> str:
    """One scrypt hash of the demo password for every test app (scrypt is slow on purpose)."""
    from connectors.identity.passwords import hash_password
    from seed.loader import DEMO_PASSWORD

    return hash_password(DEMO_PASSWORD)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Any]:
    application = make_app(database_url, tmp_path)
    yield application
    application.extensions["casestudio"].stop()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def login(client: Any, username: str, password: str = "demo") -> Api:
    response = client.post("/api/v1/auth/token", json={"username": username,
                                                        "password": password})
    assert response.status_code == 200, response.get_json()
    return Api(client, response.get_json()["access_token"])


@pytest.fixture
def as_admin(client: Any) -> Api:
    return login(client, "admin")


@pytest.fixture
def as_worker(client: Any) -> Api:
    return login(client, "worker")


@pytest.fixture
def as_analyst(client: Any) -> Api:
    return login(client, "analyst")


@pytest.fixture
def as_manager(client: Any) -> Api:
    return login(client, "manager")
