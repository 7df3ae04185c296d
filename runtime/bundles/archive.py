"""Reading bundles from folders or zips, and writing them back as zips.

Why so careful: bundles are uploaded by users. A zip can carry path traversal
(``../../etc``), absolute paths, symlinks, or be a bomb that inflates to
gigabytes; we check every entry *before* extracting anything and read each
entry with a hard cap, so nothing is written to disk at all.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from runtime.errors import PayloadTooLarge, ValidationFailed

MANIFEST = "case-type.yaml"
MAX_RATIO = 100  # uncompressed/compressed beyond this is treated as a bomb
BOMB_FLOOR = 1_000_000  # small files may compress well without harm


@dataclass(frozen=True)
class Limits:
    """Size limits for one bundle (configurable via settings)."""

    max_bytes: int = 20_000_000
    max_files: int = 500


def bundle_error(message: str, path: str = "", file: str = "") -> ValidationFailed:
    """A 422 whose single error names the offending file and JSON pointer."""
    return ValidationFailed("the bundle is invalid",
                            errors=[{"file": file, "path": path, "message": message}])


def read_folder(root: Path, limits: Limits) -> dict[str, bytes]:
    """All regular files under ``root`` (hidden files skipped), keyed by posix path."""
    if not (root / MANIFEST).is_file():
        raise bundle_error(f"{MANIFEST} not found in {root}", file=MANIFEST)
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_symlink() or not path.is_file() or _hidden(rel.parts):
            continue
        total += path.stat().st_size
        _check_budget(len(files) + 1, total, limits)
        files[rel.as_posix()] = path.read_bytes()
    return files


def read_zip(data: bytes, limits: Limits) -> dict[str, bytes]:
    """Entries of a zip, validated for traversal, symlinks and bombs before reading."""
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(f"bundle is {len(data)} bytes; the limit is {limits.max_bytes}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise bundle_error(f"not a valid zip archive: {exc}") from None
    with archive:
        entries = [i for i in archive.infolist() if not i.is_dir()]
        _check_entries(entries, limits)
        prefix = _common_prefix([e.filename for e in entries])
        return {e.filename[len(prefix):]: _read_entry(archive, e)
                for e in entries if not _hidden(PurePosixPath(e.filename).parts)}


def _check_entries(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = 0
    for index, info in enumerate(entries, 1):
        _check_name(info)
        total += info.file_size
        _check_budget(index, total, limits)
        if info.file_size > BOMB_FLOOR and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
            raise PayloadTooLarge(f"zip entry {info.filename!r} has a suspicious "
                                  f"compression ratio (possible zip bomb)")


def _check_name(info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or ".." in parts or "\\" in name or ":" in name:
        raise bundle_error(f"unsafe path in zip: {name!r}", file=name)
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        raise bundle_error(f"symbolic links are not allowed in bundles: {name!r}", file=name)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read with a cap: the header's size can lie, the stream cannot."""
    with archive.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise PayloadTooLarge(f"zip entry {info.filename!r} is larger than declared")
    return data


def _check_budget(count: int, total: int, limits: Limits) -> None:
    if count > limits.max_files:
        raise PayloadTooLarge(f"bundle has more than {limits.max_files} files")
    if total > limits.max_bytes:
        raise PayloadTooLarge(f"bundle content exceeds {limits.max_bytes} bytes")


def _common_prefix(names: list[str]) -> str:
    """Strip one top folder (``grant/case-type.yaml``) so zips of folders work."""
    if MANIFEST in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    if len(tops) == 1:
        prefix = tops.pop() + "/"
        if prefix + MANIFEST in names:
            return prefix
    raise bundle_error(f"{MANIFEST} not found at the root of the zip", file=MANIFEST)


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def write_zip(files: dict[str, bytes]) -> bytes:
    """A deterministic zip (sorted, fixed timestamps): same files, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
