"""Bundle reading and checking: every kind of bad input gets a precise error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from runtime.bundles.archive import Limits, read_folder, read_zip, write_zip
from runtime.bundles.model import content_hash, parse_bundle
from runtime.errors import PayloadTooLarge, ValidationFailed
from tests.support import ROOT, zip_files

PERMIT = ROOT / "tests" / "fixtures" / "bundles" / "permit"
LIMITS = Limits()


def files(changes: dict[str, bytes]) -> dict[str, bytes]:
    """The fixture bundle with some files replaced."""
    return {**read_folder(PERMIT, LIMITS), **changes}


def manifest(text: str) -> dict[str, bytes]:
    return {**read_folder(PERMIT, LIMITS), "case-type.yaml": text.encode()}


def errors_of(bundle_files: dict[str, bytes]) -> list[dict[str, str]]:
    with pytest.raises(ValidationFailed) as info:
        parse_bundle(bundle_files)
    return info.value.errors


def test_the_fixture_bundle_is_valid_and_resolved() -> None:
    bundle = parse_bundle(read_folder(PERMIT, LIMITS))
    d = bundle.definition
    assert bundle.key == "permit" and d["processId"] == "permit"
    assert d["forms"]["review"]["schema"]["required"] == ["approved"]
    assert d["ui"]["ui:order"][0] == "applicant"
    assert list(bundle.processes) == ["processes/permit.bpmn"]


def test_content_hash_ignores_order_and_zip_metadata() -> None:
    original = read_folder(PERMIT, LIMITS)
    shuffled = dict(reversed(list(original.items())))
    assert content_hash(original) == content_hash(shuffled)
    assert read_zip(write_zip(original), LIMITS) == original
    assert write_zip(original) == write_zip(shuffled)


def test_malformed_yaml_names_the_line() -> None:
    errs = errors_of(manifest("key: permit\nname: [unclosed\n"))
    assert errs[0]["file"] == "case-type.yaml" and "line" in errs[0]["message"]


def test_duplicate_yaml_keys_are_refused() -> None:
    text = (PERMIT / "case-type.yaml").read_text() + "\nname: Again\n"
    assert "duplicate key 'name'" in errors_of(manifest(text))[0]["message"]


def test_schema_violations_have_paths() -> None:
    text = (PERMIT / "case-type.yaml").read_text().replace("{key: intake, name: Intake}",
                                                           "{key: 1ntake}")
    text += "\ncolour: blue\n"
    errs = {(e["path"], e["message"]) for e in errors_of(manifest(text))}
    paths = {p for p, _ in errs}
    assert {"/stages/0/key", "/stages/0/name", "/colour"} <= paths


def test_missing_required_manifest_field_at_its_own_path() -> None:
    text = "key: permit\nname: P\nschema: forms/permit.schema.json\n"
    assert [e["path"] for e in errors_of(manifest(text))] == ["/stages"]


def test_referential_errors_are_all_reported() -> None:
    text = (PERMIT / "case-type.yaml").read_text()
    text = text.replace("review: forms/review.schema.json", "review: forms/missing.json")
    text = text.replace("{key: done, name: Done}", "{key: intake, name: Again}")
    errs = errors_of(manifest(text))
    messages = " | ".join(f"{e['path']} {e['message']}" for e in errs)
    assert "/forms/review file not found in bundle: forms/missing.json" in messages
    assert "/stages/2/key duplicate stage key 'intake'" in messages


def test_malformed_json_and_invalid_schema() -> None:
    errs = errors_of(files({"forms/permit.schema.json": b'{"type": "object",}'}))
    assert errs[0]["file"] == "forms/permit.schema.json" and "line 1" in errs[0]["message"]
    errs = errors_of(files({"forms/permit.schema.json": b'{"type": "objekt"}'}))
    assert errs[0]["file"] == "forms/permit.schema.json" and errs[0]["path"] == "/type"


def test_malformed_and_hostile_bpmn() -> None:
    errs = errors_of(files({"processes/permit.bpmn": b"<bpmn:definitions"}))
    assert errs[0]["file"] == "processes/permit.bpmn" and "malformed BPMN" in errs[0]["message"]
    evil = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<d>&x;</d>")
    assert errs_contain(errors_of(files({"processes/permit.bpmn": evil})), "malformed BPMN")


def errs_contain(errs: list[dict[str, str]], text: str) -> bool:
    return any(text in e["message"] for e in errs)


def test_bpmn_form_key_must_exist() -> None:
    bpmn = (PERMIT / "processes" / "permit.bpmn").read_bytes().replace(b"form:review",
                                                                       b"form:missing")
    errs = errors_of(files({"processes/permit.bpmn": bpmn}))
    assert any(e["path"] == "#Task_Review" for e in errs)


def test_zip_traversal_absolute_paths_and_symlinks() -> None:
    for name in ("../evil", "/etc/evil", "a/../../evil", "C:\\evil"):
        with pytest.raises(ValidationFailed) as info:
            read_zip(zip_files({"case-type.yaml": b"key: x", name: b"x"}), LIMITS)
        assert "unsafe path" in info.value.errors[0]["message"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("case-type.yaml", b"key: x")
        link = zipfile.ZipInfo("link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(ValidationFailed, match="bundle is invalid"):
        read_zip(buffer.getvalue(), LIMITS)


def test_zip_bombs_and_limits() -> None:
    bomb = zip_files({"case-type.yaml": b"key: x", "big.json": b"0" * 50_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(PayloadTooLarge):
        read_zip(bomb, LIMITS)
    with pytest.raises(PayloadTooLarge):
        read_zip(zip_files({"case-type.yaml": b"x"}), Limits(max_bytes=10))
    many = {f"f{i}.txt": b"x" for i in range(20)} | {"case-type.yaml": b"x"}
    with pytest.raises(PayloadTooLarge, match="more than 5 files"):
        read_zip(zip_files(many), Limits(max_files=5))


def test_zip_with_top_folder_and_garbage() -> None:
    nested = zip_files({f"permit/{k}": v for k, v in read_folder(PERMIT, LIMITS).items()})
    assert "case-type.yaml" in read_zip(nested, LIMITS)
    with pytest.raises(ValidationFailed, match="bundle is invalid"):
        read_zip(b"PK\x03\x04garbage", LIMITS)
    with pytest.raises(ValidationFailed):
        read_zip(zip_files({"readme.txt": b"x"}), LIMITS)


def test_folder_reader_skips_hidden_and_needs_manifest(tmp_path: Path) -> None:
    (tmp_path / "case-type.yaml").write_text("key: x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    assert list(read_folder(tmp_path, LIMITS)) == ["case-type.yaml"]
    with pytest.raises(ValidationFailed):
        read_folder(tmp_path / ".git", LIMITS)
