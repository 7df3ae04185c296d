"""Settings precedence, coercion, masking and start-up URL checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.urls import UnknownScheme, mask_url
from runtime.components import check_urls
from runtime.settings import SettingsError, load_settings


def test_precedence_defaults_file_env_explicit(tmp_path: Path) -> None:
    config = tmp_path / "cs.toml"
    config.write_text('[casestudio]\nport = 9000\nhost = "0.0.0.0"\nevents_url = "kafka://k:9092"\n')
    env = {"CASESTUDIO_PORT": "9100", "CASESTUDIO_DEMO": "yes", "OTHER": "x"}
    s = load_settings({"port": 9200, "instance_path": str(tmp_path)}, config_file=config,
                      environ=env)
    assert (s.port, s.host, s.events_url, s.demo) == (9200, "0.0.0.0", "kafka://k:9092", True)
    s = load_settings({"instance_path": str(tmp_path)}, config_file=config, environ=env)
    assert s.port == 9100
    s = load_settings({"instance_path": str(tmp_path)}, environ={})
    assert (s.port, s.engine_url, s.demo) == (8080, "embedded://", False)


def test_instance_relative_defaults_and_persistent_secret(tmp_path: Path) -> None:
    s = load_settings({"instance_path": str(tmp_path / "inst")}, environ={})
    assert s.database_url == f"sqlite:///{tmp_path}/inst/casestudio.db"
    assert s.storage_url == f"file://{tmp_path}/inst/storage"
    again = load_settings({"instance_path": str(tmp_path / "inst")}, environ={})
    assert s.secret_key == again.secret_key and len(s.secret_key) == 64


def test_bad_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="integer"):
        load_settings({"port": "eighty", "instance_path": str(tmp_path)}, environ={})
    with pytest.raises(SettingsError, match="unknown setting 'colour'"):
        load_settings({"colour": "blue", "instance_path": str(tmp_path)}, environ={})
    with pytest.raises(SettingsError, match="boolean"):
        load_settings({"demo": "perhaps", "instance_path": str(tmp_path)}, environ={})


def test_unknown_scheme_lists_known_ones(tmp_path: Path) -> None:
    s = load_settings({"events_url": "rabbit://u:pw@h", "instance_path": str(tmp_path)},
                      environ={})
    with pytest.raises(UnknownScheme) as info:
        check_urls(s)
    message = str(info.value)
    assert "kafka, memory" in message and "pw" not in message and "***" in message
    s = load_settings({"mail_urls": "imaps://a@h, pop3://b@h", "instance_path": str(tmp_path)},
                      environ={})
    assert s.mail_urls == ["imaps://a@h", "pop3://b@h"]
    with pytest.raises(UnknownScheme, match="imap, imaps, smtp"):
        check_urls(s)


def test_masking() -> None:
    assert mask_url("postgresql+psycopg://app:s3cret@db:5432/cs") == (
        "postgresql+psycopg://app:***@db:5432/cs")
    assert mask_url("s3://key@minio:9000/bucket?secret=abc&region=x") == (
        "s3://key@minio:9000/bucket?secret=***&region=x")
    assert mask_url("embedded://") == "embedded://"
    s = load_settings({"database_url": "postgresql://u:topsecret@h/db", "secret_key": "k" * 10,
                       "instance_path": "/tmp/cs-mask"}, environ={})
    printed = str(s.masked())
    assert "topsecret" not in printed and "kkkkkkkkkk" not in printed
