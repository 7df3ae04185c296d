"""Object storage for case documents: ``file://`` (default) or ``s3://``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

from connectors.urls import load_adapter

REGISTRY = {
    "file": "connectors.storage.file:FileStorage",
    "s3": "connectors.storage.s3:S3Storage",
}


@dataclass(frozen=True)
class StoredObject:
    """What storage tells us after a put: enough to record document metadata."""

    key: str
    size: int
    checksum: str  # sha256 hex


class Storage(Protocol):
    """Minimal object store: keys are opaque, per-case prefixed by the caller."""

    def put(self, key: str, stream: IO[bytes], content_type: str, max_bytes: int
            ) -> StoredObject: ...

    def open(self, key: str) -> Iterator[bytes]: ...

    def delete(self, key: str) -> None: ...

    def check(self) -> dict[str, Any]: ...


class TooLarge(ValueError):
    """The stream exceeded ``max_bytes``; nothing was kept."""


def open_storage(url: str) -> Storage:
    """Instantiate the storage backend selected by ``url``'s scheme."""
    return load_adapter("storage", url, REGISTRY)(url)  # type: ignore[no-any-return]
