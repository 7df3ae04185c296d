"""``file://path``: documents as files under a root folder (the embedded default)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from connectors.storage import StoredObject, TooLarge

CHUNK = 1 << 16
_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,400}$")


class FileStorage:
    """Writes to a temp file then renames, so readers never see partial objects."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.root = Path(parts.netloc + parts.path).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not _SAFE_KEY.match(key) or ".." in key.split("/"):
            raise ValueError(f"unsafe storage key {key!r}")
        return self.root / key

    def put(self, key: str, stream: IO[bytes], content_type: str, max_bytes: int
            ) -> StoredObject:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            size, digest = _copy(stream, fd, max_bytes)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        return StoredObject(key=key, size=size, checksum=digest)

    def open(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return _chunks(path)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def check(self) -> dict[str, Any]:
        probe = self.root / ".health"
        probe.write_bytes(b"ok")
        probe.unlink()
        return {"status": "up", "backend": "file"}


def _copy(stream: IO[bytes], fd: int, max_bytes: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"the upload exceeds {max_bytes} bytes")
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk
