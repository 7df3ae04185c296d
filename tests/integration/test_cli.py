"""The ``casestudio`` command line: config, db, users, deploy, export, seed."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

from runtime.cli import main
from tests.support import ROOT

PERMIT = ROOT / "tests" / "fixtures" / "bundles" / "permit"


def run(tmp_path: Path, *args: str, database_url: str | None = None, input: str | None = None
        ) -> tuple[int, str]:
    env = {"CASESTUDIO_INSTANCE_PATH": str(tmp_path / "instance"),
           "CASESTUDIO_DATABASE_URL": database_url or f"sqlite:///{tmp_path}/cli.db"}
    result = CliRunner().invoke(main, list(args), env=env, input=input)
    return result.exit_code, result.output


def test_config_masks_secrets(tmp_path: Path) -> None:
    code, out = run(tmp_path, "config", database_url="postgresql://app:hunter2@db/cs")
    assert code == 0
    printed = json.loads(out)
    assert printed["database_url"] == "postgresql://app:***@db/cs"
    assert "hunter2" not in out and printed["secret_key"] == "***"


def test_deploy_export_roundtrip_and_errors(tmp_path: Path, database_url: str) -> None:
    assert run(tmp_path, "db", "upgrade", database_url=database_url)[0] == 0
    code, out = run(tmp_path, "deploy", str(PERMIT), database_url=database_url)
    assert code == 0 and "permit version 1: deployed" in out
    code, out = run(tmp_path, "deploy", str(PERMIT), database_url=database_url)
    assert "unchanged" in out
    target = tmp_path / "permit.zip"
    code, out = run(tmp_path, "export", "permit", "-o", str(target), database_url=database_url)
    assert code == 0 and target.exists()
    names = zipfile.ZipFile(io.BytesIO(target.read_bytes())).namelist()
    assert "case-type.yaml" in names and "processes/permit.bpmn" in names
    code, out = run(tmp_path, "deploy", str(target), database_url=database_url)
    assert "unchanged" in out
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "case-type.yaml").write_text("key: broken\nname: B\nschema: missing.json\n"
                                           "stages: [{key: a, name: A}]\n")
    code, out = run(tmp_path, "deploy", str(broken), database_url=database_url)
    assert code == 1 and "case-type.yaml/schema: file not found in bundle" in out
    code, out = run(tmp_path, "export", "nope", database_url=database_url)
    assert code == 1 and "does not exist" in out


def test_users_add_refuses_weak_passwords_outside_demo(tmp_path: Path) -> None:
    run(tmp_path, "db", "upgrade")
    code, out = run(tmp_path, "users", "add", "carol", "--role", "worker",
                    "--password", "demo")
    assert code == 1 and "at least 8 characters" in out
    code, out = run(tmp_path, "users", "add", "carol", "--role", "worker", "--role", "manager",
                    "--password", "a sturdy passphrase")
    assert code == 0 and "worker, manager" in out


def test_seed_is_idempotent(tmp_path: Path) -> None:
    run(tmp_path, "db", "upgrade")
    code, out = run(tmp_path, "--demo", "seed")
    assert code == 0, out
    assert "bundles deployed: 3, sample cases created: 3" in out
    code, out = run(tmp_path, "--demo", "seed")
    assert "bundles deployed: 0, sample cases created: 0" in out
