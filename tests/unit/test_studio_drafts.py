"""Drafts: template, optimistic lock with both versions, manifest edits, file checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.identity import Principal
from models.base import Base
from models.db import Database
from policies import open_policy
from runtime.authz import Authorizer
from runtime.bundles.archive import Limits
from runtime.errors import Conflict, Forbidden, NotFound, ValidationFailed
from runtime.studio.drafts import DraftConflict, DraftService, manifest_of

ANN = Principal(id="ann", roles=("analyst",))
BOB = Principal(id="bob", roles=("admin",))
WORKER = Principal(id="wes", roles=("worker",))


@pytest.fixture
def drafts(tmp_path: Path) -> Iterator[DraftService]:
    db = Database(f"sqlite:///{tmp_path}/drafts.db")
    Base.metadata.create_all(db.engine)
    yield DraftService(db, Authorizer(open_policy("embedded://")), Limits(max_bytes=20_000,
                                                                          max_files=20))
    db.dispose()


def test_create_from_template_and_read_back(drafts: DraftService) -> None:
    draft = drafts.create(ANN, "leave", "Leave", "Days off")
    assert draft.revision == 1 and draft.created_by == "ann"
    manifest = manifest_of(drafts.get(ANN, "leave").files)
    assert manifest["name"] == "Leave" and manifest["description"] == "Days off"
    with pytest.raises(Conflict):
        drafts.create(ANN, "leave", "Again")
    with pytest.raises(Conflict):
        drafts.create(ANN, "other", "Other", deployed=True)
    assert [d.key for d in drafts.list(ANN)] == ["leave"]


def test_stale_revision_gets_both_versions(drafts: DraftService) -> None:
    drafts.create(ANN, "leave", "Leave")
    saved = drafts.save(ANN, "leave", {"manifest": {"name": "Mine"}}, 1)
    assert saved.revision == 2
    with pytest.raises(DraftConflict) as conflict:
        drafts.save(BOB, "leave", {"manifest": {"name": "Theirs"}}, 1)
    problem = conflict.value.problem()
    assert problem["status"] == 412 and problem["current"]["revision"] == 2
    assert problem["yours"] == {"manifest": {"name": "Theirs"}}
    assert manifest_of(drafts.get(ANN, "leave").files)["name"] == "Mine"
    assert drafts.save(BOB, "leave", {"manifest": {"name": "Theirs"}}, None).revision == 3


def test_files_are_added_replaced_and_removed(drafts: DraftService) -> None:
    drafts.create(ANN, "leave", "Leave")
    draft = drafts.save(ANN, "leave", {"files": {"notes.md": "hi",
                                                 "forms/work.ui.json": None}}, 1)
    assert draft.files["notes.md"] == "hi" and "forms/work.ui.json" not in draft.files
    draft = drafts.save(ANN, "leave", {"manifest": {"description": "", "queues": ["a", "b"]}}, 2)
    assert manifest_of(draft.files)["queues"] == ["a", "b"]


def test_bad_changes_name_their_paths(drafts: DraftService) -> None:
    drafts.create(ANN, "leave", "Leave")
    with pytest.raises(ValidationFailed) as unsafe:
        drafts.save(ANN, "leave", {"files": {"/etc/passwd": "x", "a/../b": "y"}}, 1)
    assert {e["path"] for e in unsafe.value.errors} == {"/files/~1etc~1passwd", "/files/a~1..~1b"}
    with pytest.raises(ValidationFailed) as manifest_gone:
        drafts.save(ANN, "leave", {"files": {"case-type.yaml": None}}, 1)
    assert manifest_gone.value.errors[0]["path"] == "/files/case-type.yaml"
    with pytest.raises(ValidationFailed) as too_big:
        drafts.save(ANN, "leave", {"files": {"big.txt": "x" * 30_000}}, 1)
    assert too_big.value.errors[0]["path"] == "/files"
    with pytest.raises(ValidationFailed) as broken:
        drafts.save(ANN, "leave", {"files": {"case-type.yaml": "key: ["}}, 1)
        drafts.save(ANN, "leave", {"manifest": {"name": "x"}}, 2)
    assert broken.value.errors[0]["path"] == "/files/case-type.yaml"
    with pytest.raises(ValidationFailed):
        drafts.save(ANN, "leave", {"other": 1, "files": {"a": 5}}, None)


def test_policy_and_missing_drafts(drafts: DraftService) -> None:
    with pytest.raises(Forbidden):
        drafts.list(WORKER)
    with pytest.raises(NotFound):
        drafts.get(ANN, "nothing")
    drafts.create(ANN, "leave", "Leave")
    with pytest.raises(DraftConflict):
        drafts.delete(ANN, "leave", if_match=7)
    drafts.delete(ANN, "leave", if_match=1)
    assert drafts.find(ANN, "leave") is None
