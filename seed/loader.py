"""The demo loader: demo users, the bundles in ``seed/bundles``, sample cases.

Idempotent: users are upserted, identical bundles keep their version, and
sample cases are only created for case types that have no cases yet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from sqlalchemy import func, select

from connectors.identity.passwords import hash_password
from models.cases import Case
from runtime.deploy import deploy_path, system_principal

BUNDLES = Path(__file__).with_name("bundles")
DEMO_USERS = {
    "analyst": (["analyst"], "Ada Analyst"),
    "worker": (["worker"], "Walter Worker"),
    "manager": (["manager", "worker"], "Maria Manager"),
    "admin": (["admin", "engine"], "Alex Admin"),
}
DEMO_PASSWORD = "demo"  # noqa: S105 - only accepted in demo mode (LocalIdentity)


def add_demo_users(identity: Any, tenant: str = "default") -> None:
    """The four demo accounts (one scrypt hash shared: the password is the same)."""
    hashed = hash_password(DEMO_PASSWORD)
    for name, (roles, display) in DEMO_USERS.items():
        identity.add_user(name, DEMO_PASSWORD, roles, display_name=display, tenant=tenant,
                          email=f"{name}@example.org", demo=True, password_hash=hashed)


def bundle_dirs() -> list[Path]:
    return sorted(p for p in BUNDLES.iterdir() if (p / "case-type.yaml").is_file())


def load_demo(container: Any, echo: Callable[[str], None] = print) -> dict[str, int]:
    """Load everything; returns counts of what was created this time."""
    add_demo_users(container.identity)
    echo(f"demo users: {', '.join(DEMO_USERS)} (password '{DEMO_PASSWORD}', demo mode only)")
    deployed = 0
    with click.progressbar(bundle_dirs(), label="deploying demo bundles") as bar:
        for path in bar:
            _version, created, _warnings = deploy_path(container, path)
            deployed += int(created)
    container.refresh_policy()
    cases = _sample_cases(container)
    echo(f"bundles deployed: {deployed}, sample cases created: {cases}")
    return {"bundles": deployed, "cases": cases}


def _sample_cases(container: Any) -> int:
    created = 0
    principal = system_principal(container)
    for path in bundle_dirs():
        samples = path / "samples"
        key = path.name
        if not samples.is_dir() or _has_cases(container, key):
            continue
        for sample in sorted(samples.glob("valid*.json")):
            container.cases.create(principal, key, json.loads(sample.read_text()))
            created += 1
    return created


def _has_cases(container: Any, key: str) -> bool:
    with container.db.session() as s:
        return bool(s.scalar(select(func.count()).select_from(Case)
                             .where(Case.case_type == key)))
