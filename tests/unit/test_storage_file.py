"""The file:// storage backend: atomic writes, checksums, limits, safe keys."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from connectors.storage import TooLarge, open_storage
from connectors.urls import UnknownScheme


def test_put_open_delete(tmp_path: Path) -> None:
    storage = open_storage(f"file://{tmp_path}/store")
    payload = b"%PDF-1.4 " + bytes(range(256)) * 1000
    stored = storage.put("cases/c1/d1", io.BytesIO(payload), "application/pdf", 10**6)
    assert stored.size == len(payload)
    assert stored.checksum == hashlib.sha256(payload).hexdigest()
    assert b"".join(storage.open("cases/c1/d1")) == payload
    storage.delete("cases/c1/d1")
    with pytest.raises(FileNotFoundError):
        storage.open("cases/c1/d1")
    assert storage.check()["status"] == "up"


def test_limits_and_unsafe_keys_leave_nothing(tmp_path: Path) -> None:
    storage = open_storage(f"file://{tmp_path}/store")
    with pytest.raises(TooLarge):
        storage.put("cases/c1/big", io.BytesIO(b"x" * 2000), "text/plain", 1000)
    assert [p.name for p in (tmp_path / "store" / "cases" / "c1").iterdir()] == []
    for key in ("../escape", "/abs", "cases/../../x", ""):
        with pytest.raises(ValueError, match="unsafe"):
            storage.put(key, io.BytesIO(b"x"), "text/plain", 10)


def test_unknown_scheme() -> None:
    with pytest.raises(UnknownScheme, match="file, s3"):
        open_storage("ftp://host/x")
