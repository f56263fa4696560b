"""Bank files on disk: safe paths, atomic writes, a folder lock, and the archive."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from quizapp.banks.loader import SLUG

#: Archived banks live here, out of the served set, until restored.
ARCHIVE = "archive"
LOCK_FILE = ".lock"


class PathRefused(Exception):
    """A bank name or file that must not be read or written: bad slug, or a link leading out."""


def bank_path(folder: Path | str, slug: str) -> Path:
    """The file of bank ``slug`` in ``folder``; refuses any slug or link that leads elsewhere."""
    if not SLUG.fullmatch(slug or ""):
        raise PathRefused(f"'{slug}' is not a bank name: use lowercase letters, digits and hyphens")
    folder = Path(folder).resolve()
    path = folder / f"{slug}.yaml"
    if path.is_symlink() and path.resolve().parent != folder:
        raise PathRefused(f"{slug}.yaml is a link to a file outside the banks folder")
    return path


def sha256_text(text: str) -> str:
    """The hash of a bank's text, as the loader computes it from the file's bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_bank_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig", errors="replace")


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old file or the new one, never half of one:
    a temporary file in the same folder, flushed to disk, then renamed over the old one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def folder_lock(folder: Path | str) -> Iterator[None]:
    """Hold the banks folder's lock, so a check of the file and the write that follows it are one
    step for every process of the app."""
    with open(Path(folder) / LOCK_FILE, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def archive_bank(folder: Path | str, slug: str) -> Path:
    """Move a bank out of the served set into the archive folder; returns its archived path."""
    path = bank_path(folder, slug)
    archive = Path(folder) / ARCHIVE
    archive.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = archive / f"{slug}.{stamp}.yaml"
    for n in range(1, 1000):
        if not target.exists():
            break
        target = archive / f"{slug}.{stamp}-{n}.yaml"  # never replace an archived copy
    os.replace(path, target)
    _fsync_folder(Path(folder))
    return target


def archived_banks(folder: Path | str) -> list[tuple[str, Path]]:
    """Every archived bank as (slug, file), newest first."""
    archive = Path(folder) / ARCHIVE
    found = []
    for path in archive.glob("*.yaml") if archive.is_dir() else ():
        slug = path.name.split(".", 1)[0]
        if SLUG.fullmatch(slug) and not path.is_symlink():
            found.append((slug, path))
    # Newest first across banks: by the time stamp after the slug, then by name.
    return sorted(found, key=lambda item: (item[1].name.split(".", 1)[1], item[1].name), reverse=True)


def archived_path(folder: Path | str, name: str) -> Path:
    """An archived file by its name, refusing anything that is not one."""
    for _, path in archived_banks(folder):
        if path.name == name:
            return path
    raise PathRefused(f"no archived bank '{name}'")
