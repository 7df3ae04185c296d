"""Deploying from the file system (CLI, demo loader) with the same checks as the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connectors.identity import Principal
from runtime.bundles.archive import Limits, read_folder, read_zip
from runtime.bundles.model import parse_bundle


def system_principal(container: Any, actor: str = "admin") -> Principal:
    """An admin principal for trusted local tools (the CLI runs on the server)."""
    return Principal(id=actor, roles=("admin",), tenant=container.settings.default_tenant)


def deploy_path(container: Any, path: Path, actor: str = "admin") -> tuple[Any, bool, list[Any]]:
    """Read a folder or zip, check it, deploy it; returns (version, created, warnings)."""
    settings = container.settings
    limits = Limits(max_bytes=settings.max_bundle_bytes, max_files=settings.max_bundle_files)
    files = read_folder(path, limits) if path.is_dir() else read_zip(path.read_bytes(), limits)
    bundle = parse_bundle(files, allow_scripts=settings.allow_scripts)
    version, created = container.case_types.deploy(system_principal(container, actor), bundle)
    return version, created, list(version.warnings)
