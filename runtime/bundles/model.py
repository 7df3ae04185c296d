"""Turning bundle files into a checked case-type definition.

Every problem is collected (not just the first) so an analyst fixes a bundle
in one round trip; each error names its file and a JSON Pointer into it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from bpmn.lint import BUILTIN_TOPICS
from runtime.bundles.archive import MANIFEST, bundle_error
from runtime.bundles.checks import Collector, check_references
from runtime.bundles.manifest import load_yaml, manifest_errors
from runtime.errors import ValidationFailed


@dataclass
class Bundle:
    """A parsed, checked bundle: the raw files plus the resolved definition."""

    key: str
    files: dict[str, bytes]
    definition: dict[str, Any]
    content_hash: str
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def processes(self) -> dict[str, bytes]:
        """The BPMN files to deploy to the engine (main process first)."""
        names = [self.definition.get("process"), *self.definition.get("resources", [])]
        return {n: self.files[n] for n in names if n}


def content_hash(files: dict[str, bytes]) -> str:
    """Hash of paths and contents, independent of zip metadata and order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def parse_bundle(files: dict[str, bytes], *, allow_scripts: bool = False,
                 builtin_topics: Collection[str] = BUILTIN_TOPICS) -> Bundle:
    """Check a bundle completely; raise 422 listing every error, else return it."""
    if MANIFEST not in files:
        raise bundle_error(f"{MANIFEST} is missing", file=MANIFEST)
    manifest = load_yaml(files[MANIFEST])
    if not isinstance(manifest, dict):
        raise bundle_error("the manifest must be a mapping", file=MANIFEST)
    errors = manifest_errors(manifest)
    if errors:
        raise ValidationFailed("the bundle manifest is invalid", errors=errors)
    collector = Collector(files, allow_scripts=allow_scripts, builtin_topics=builtin_topics)
    definition = check_references(manifest, collector)
    if collector.errors:
        raise ValidationFailed("the bundle is invalid", errors=collector.errors)
    return Bundle(key=manifest["key"], files=dict(files), definition=definition,
                  content_hash=content_hash(files), warnings=collector.warnings)
