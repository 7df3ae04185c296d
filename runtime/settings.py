"""Effective settings: defaults -> config file -> ``CASESTUDIO_*`` env -> explicit mapping.

Why this order: a packaged default must always run (embedded backends), an
operator's file overrides it, the container environment overrides the file,
and tests/callers pass an explicit mapping that wins over everything without
touching ``os.environ``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from connectors.urls import mask_url

ENV_PREFIX = "CASESTUDIO_"

#: Fields holding backend URLs (masked in every printout).
URL_FIELDS = (
    "database_url", "case_store_url", "engine_url", "storage_url", "events_url",
    "notify_url", "identity_url", "policy_url", "mail_urls", "socketio_queue_url",
)
SECRET_FIELDS = ("secret_key",)


@dataclass
class Settings:
    """Every knob of a CaseStudio process; embedded defaults need no server."""

    instance_path: str = "instance"
    database_url: str = "sqlite:///instance/casestudio.db"
    case_store_url: str = ""
    engine_url: str = "embedded://"
    storage_url: str = "file://instance/storage"
    events_url: str = "memory://"
    notify_url: str = "inbox://"
    identity_url: str = "local://"
    policy_url: str = "embedded://"
    mail_urls: list[str] = field(default_factory=list)
    socketio_queue_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: str = ""
    demo: bool = False
    default_tenant: str = "default"
    max_bundle_bytes: int = 20_000_000
    max_bundle_files: int = 500
    max_upload_bytes: int = 50_000_000
    max_request_bytes: int = 60_000_000
    allow_scripts: bool = False
    run_jobs: bool = True
    run_workers: bool = True
    token_ttl_seconds: int = 12 * 3600
    log_level: str = "INFO"
    testing: bool = False

    def masked(self) -> dict[str, Any]:
        """A printable dict: URL passwords and secrets replaced by ``***``."""
        out = dataclasses.asdict(self)
        for name in URL_FIELDS:
            value = out[name]
            out[name] = [mask_url(v) for v in value] if isinstance(value, list) else (
                mask_url(value) if value else value)
        for name in SECRET_FIELDS:
            out[name] = "***" if out[name] else ""
        return out


class SettingsError(ValueError):
    """A setting has a value of the wrong type or an unknown name."""


def _coerce(name: str, value: Any, kind: Any) -> Any:
    if kind is bool or kind == "bool":
        return _to_bool(name, value)
    if kind is int or kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SettingsError(f"setting {name}: expected an integer, got {value!r}") from None
    if kind == "list[str]":
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in value]
    return str(value)


def _to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"setting {name}: expected a boolean, got {value!r}")


def _apply(values: dict[str, Any], source: Mapping[str, Any], origin: str) -> None:
    kinds = {f.name: f.type for f in fields(Settings)}
    for raw_name, value in source.items():
        name = raw_name.lower()
        if name not in kinds:
            raise SettingsError(f"unknown setting {raw_name!r} in {origin}")
        values[name] = _coerce(name, value, kinds[name])


def _from_env(environ: Mapping[str, str]) -> dict[str, str]:
    known = {f.name for f in fields(Settings)}
    out = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX):].lower()
            if name in known:
                out[name] = value
    return out


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the effective settings; later sources win over earlier ones."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path:
        with open(path, "rb") as fh:
            _apply(values, tomllib.load(fh).get("casestudio", {}), str(path))
    _apply(values, _from_env(env), "environment")
    _apply(values, overrides or {}, "explicit settings")
    settings = Settings(**values)
    _derive(settings)
    return settings


def _derive(settings: Settings) -> None:
    """Fill values that depend on others (instance-relative defaults, secret)."""
    inst = settings.instance_path.rstrip("/")
    defaults = Settings()
    if inst != defaults.instance_path:
        for name in ("database_url", "storage_url"):
            if getattr(settings, name) == getattr(defaults, name):
                setattr(settings, name, getattr(defaults, name).replace("instance", inst, 1))
    if not settings.secret_key:
        settings.secret_key = _instance_secret(Path(inst))


def _instance_secret(instance: Path) -> str:
    """A per-installation random secret, persisted so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
